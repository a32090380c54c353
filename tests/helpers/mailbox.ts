/**
 * Second factors in tests, for real: an SMTP server on loopback that keeps what it receives (smtp-server,
 * parsed with mailparser), and TOTP codes computed from a secret by RFC 6238 here, apart from the platform's
 * library, so a test checks the platform against the standard rather than against itself.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** RFC 4648 base32, as authenticator apps read the secret. */
export function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) at `ms`, with RFC 4226 §5.3 dynamic truncation. */
export function totp(secret: string, ms: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

export interface Mailbox {
  readonly port: number;
  readonly mails: ParsedMail[];
  /** The next message to arrive (or one already here and not taken). */
  next(): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives; no STARTTLS offered. */
export async function startMailbox(): Promise<Mailbox> {
  const mails: ParsedMail[] = [];
  let taken = 0;
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          for (const w of waiters.splice(0)) w();
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    async next() {
      while (mails.length <= taken) await new Promise<void>((resolve) => waiters.push(resolve));
      return mails[taken++]!;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const codeIn = (mail: ParsedMail): string => {
  const m = /\b(\d{6})\b/.exec(mail.text ?? '');
  assert.ok(m, `a 6-digit code in: ${mail.text}`);
  return m[1] as string;
};

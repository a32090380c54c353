/**
 * Mailing sign-in codes over SMTP (nodemailer). Only the second-factor service sends mail; a platform without
 * TOLLGATE_SMTP_URL has no Mailer and email codes are off.
 */
import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '../config/index.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends one message; rejects when the server refuses it or cannot be reached. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export class SmtpMailer implements Mailer {
  readonly #transport: ReturnType<typeof createTransport>;

  constructor(config: SmtpConfig) {
    const implicitTls = config.url.toLowerCase().startsWith('smtps:');
    this.#transport = createTransport(
      {
        url: config.url,
        // smtp:// upgrades with STARTTLS when offered; with requireTls it refuses to send in the clear.
        ...(!implicitTls && config.requireTls ? { requireTLS: true } : {}),
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
        // nodemailer's own logger would print the conversation; failures are reported by the caller.
        logger: false,
      },
      { from: config.from },
    );
  }

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
  }

  close(): void {
    this.#transport.close();
  }
}

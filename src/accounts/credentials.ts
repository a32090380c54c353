/**
 * App keys and user passwords. App keys are 32 random letters and digits,
 * stored only as SHA-256 (they carry ~190 bits of entropy, so a fast hash is
 * enough and lets lookups use an index). Passwords use scrypt with a per-user salt.
 * Every comparison of secrets is constant-time.
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const APP_KEY_LENGTH = 32;

/** A fresh app key: 32 characters from [A-Za-z0-9], unbiased (rejection sampling). */
export function generateAppKey(): string {
  let out = '';
  while (out.length < APP_KEY_LENGTH) {
    for (const byte of randomBytes(48)) {
      // 248 = 4 × 62: bytes at or above it would bias the first characters.
      if (byte < 248 && out.length < APP_KEY_LENGTH) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

const OPENID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh public user id: 24 characters of [a-z0-9], unbiased. Public, so no secret may ever be derived from it. */
export function generateOpenId(): string {
  let out = '';
  while (out.length < 24) {
    for (const byte of randomBytes(32)) {
      // 252 = 7 × 36.
      if (byte < 252 && out.length < 24) out += OPENID_ALPHABET[byte % 36];
    }
  }
  return out;
}

export function hashAppKey(appKey: string): string {
  return createHash('sha256').update(appKey, 'utf8').digest('hex');
}

/** Constant-time equality of two strings (lengths are compared first, which leaks only the length). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 32 } as const;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** scrypt$N$r$p$salt$hash, base64 parts. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** False for a wrong password and for any stored value that is not a well-formed hash of ours. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || !n || !r || !p || !salt || !hash) return false;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  // Parameters within what we would ever write; anything else is a damaged or hostile row.
  const sane = (v: number, max: number) => Number.isSafeInteger(v) && v >= 1 && v <= max;
  if (!sane(N, 2 ** 17) || (N & (N - 1)) !== 0 || N < 1024 || !sane(R, 32) || !sane(P, 16)) return false;
  const expected = Buffer.from(hash, 'base64');
  const saltBytes = Buffer.from(salt, 'base64');
  if (expected.length < 16 || expected.length > 64 || saltBytes.length < 8) return false;
  try {
    const key = await scryptAsync(password, saltBytes, expected.length, { N, r: R, p: P, maxmem: 256 * N * R + 1024 * 1024 });
    return timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/** A hash computed for unknown emails, so a login's timing does not tell whether the email exists. */
export const DUMMY_PASSWORD_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

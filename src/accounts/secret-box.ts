/**
 * Encryption at rest for secrets the platform must read back (sub-account
 * passwords: `list` returns them and the gateway compares them).
 * AES-256-GCM, a random 96-bit IV per value, the key derived from
 * TOLLGATE_SECRET with HKDF. Stored as "v1." + base64(iv ‖ tag ‖ ciphertext).
 *
 * Decrypting costs ~10 µs in Node (cipher object set-up dominates), so a
 * bounded cache keeps recent plaintexts by ciphertext: listing 10,000 accounts
 * or authenticating a connection then costs a map lookup. The gateway keeps
 * these passwords in memory anyway to authenticate at line rate.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1.';
const IV = 12;
const TAG = 16;

export class SecretBox {
  readonly #key: Buffer;
  readonly #cache = new Map<string, string>();
  readonly #cacheSize: number;

  /** @param purpose separates keys derived from one secret for different uses. */
  constructor(secret: string, purpose: string, cacheSize = 0) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'tollgate', purpose, 32));
    this.#cacheSize = cacheSize;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed = VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    this.#remember(sealed, plaintext);
    return sealed;
  }

  /** Throws when the value was not sealed by this key or was altered. */
  decrypt(sealed: string): string {
    const cached = this.#cache.get(sealed);
    if (cached !== undefined) {
      // Re-insert so the Map's insertion order is least-recently-used first.
      this.#cache.delete(sealed);
      this.#cache.set(sealed, cached);
      return cached;
    }
    if (!sealed.startsWith(VERSION)) throw new Error('unknown secret format');
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
    if (raw.length < IV + TAG) throw new Error('truncated secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV), { authTagLength: TAG });
    decipher.setAuthTag(raw.subarray(IV, IV + TAG));
    const plaintext = decipher.update(raw.subarray(IV + TAG), undefined, 'utf8') + decipher.final('utf8');
    this.#remember(sealed, plaintext);
    return plaintext;
  }

  #remember(sealed: string, plaintext: string): void {
    if (this.#cacheSize === 0) return;
    if (this.#cache.size >= this.#cacheSize) {
      // Map iterates in insertion order: drop the least recently used entry.
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(sealed, plaintext);
  }
}

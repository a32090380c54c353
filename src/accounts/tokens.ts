/**
 * Login tokens: HS256 JWTs signed with a key derived from TOLLGATE_SECRET.
 * A token names its user and the user's token_version; bumping the version
 * (new password, disabled user) revokes every token issued before.
 */
import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export interface TokenClaims {
  readonly userId: number;
  readonly version: number;
}

export class TokenService {
  readonly #key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = new Uint8Array(hkdfSync('sha256', secret, 'tollgate', 'login-jwt', 32));
  }

  async issue(userId: number, version: number): Promise<{ token: string; expiresAt: number }> {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ ver: version })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(userId))
      .setIssuer('tollgate')
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.#key);
    return { token, expiresAt: exp * 1000 };
  }

  /** The claims of a valid, unexpired token; undefined otherwise. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        issuer: 'tollgate',
        currentDate: new Date(this.now()),
      });
      const userId = Number(payload.sub);
      const version = payload.ver;
      if (!Number.isSafeInteger(userId) || typeof version !== 'number') return undefined;
      return { userId, version };
    } catch {
      return undefined;
    }
  }
}

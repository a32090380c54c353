/** A customer of the platform (the documents' User). */
export interface User {
  readonly id: number;
  readonly email: string;
  readonly phone: string;
  readonly balanceCents: number;
  /** 1 active, 0 disabled. */
  readonly status: number;
  readonly isRealName: boolean;
  /** Login tokens carry this; a mismatch means the token was revoked. */
  readonly tokenVersion: number;
  readonly createdAt: number;
}

export interface UserPatch {
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly password?: string | undefined;
  readonly status?: 0 | 1 | undefined;
  readonly isRealName?: boolean | undefined;
}

/** A proxy sub-account (the documents' whitelist account). */
export interface SubAccount {
  readonly id: number;
  readonly userId: number;
  readonly productType: number;
  readonly username: string;
  readonly password: string;
  readonly remark: string;
  readonly limitGb: number;
  readonly usedBytes: number;
  readonly status: number;
  readonly createdAt: number;
}

export interface SubAccountFilter {
  readonly productType?: number | undefined;
  readonly username?: string | undefined;
}

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
  /** 'person' signs in; 'team' is a team's space (see src/teams/): it never signs in nor holds a key. */
  readonly kind: UserKind;
  /** The agent username (a sign-in name the operator gives); null when none. */
  readonly username: string | null;
  /** The stable public id shown as `openid`: never a credential. */
  readonly openid: string;
  readonly createdAt: number;
}

export type UserKind = 'person' | 'team';

export interface UserPatch {
  readonly email?: string | undefined;
  readonly phone?: string | undefined;
  readonly password?: string | undefined;
  readonly status?: 0 | 1 | undefined;
  readonly isRealName?: boolean | undefined;
  /** The agent username; null removes it. */
  readonly username?: string | null | undefined;
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
  /** Traffic limit per local day in GB, 0 = none. */
  readonly dailyLimitGb: number;
  /** Whether SOCKS5 UDP ASSOCIATE is allowed. */
  readonly udp: boolean;
  readonly usedBytes: number;
  readonly status: number;
  readonly createdAt: number;
}

/** What one `proxy-account/change` call changes; absent fields stay as they are. */
export interface SubAccountChange {
  /** 6-16 letters and digits. */
  readonly password?: string | undefined;
  readonly remark?: string | undefined;
  /** Total traffic limit, GB (0 = unlimited). */
  readonly limitGb?: number | undefined;
  /** Traffic limit per local day, GB (0 = none). */
  readonly dailyLimitGb?: number | undefined;
  /** 1 enabled, 0 disabled. */
  readonly status?: number | undefined;
  /** 1: SOCKS5 UDP allowed, 0: refused. */
  readonly udp?: number | undefined;
}

export interface SubAccountFilter {
  readonly productType?: number | undefined;
  readonly username?: string | undefined;
}

/** The roles an operator can hold: `admin` may do everything, `support` reads and may change user status and passwords. */
export const OPERATOR_ROLES = ['admin', 'support'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** What a route needs: `read` (any operator), `support` (support's writes: user status, password resets), `admin`. */
export type OperatorAccess = 'read' | 'support' | 'admin';

/** Whether `role` may use a route that needs `access`. */
export function roleAllows(role: OperatorRole, access: OperatorAccess): boolean {
  return role === 'admin' || access !== 'admin';
}

export interface Operator {
  readonly id: number;
  readonly email: string;
  readonly role: OperatorRole;
  /** 1 active, 0 disabled. */
  readonly status: number;
  readonly lastSignInAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A signed-in console session: the token goes in the cookie, the CSRF token to the page. */
export interface OperatorSession {
  readonly operator: Operator;
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export const OPERATOR_PASSWORD_MIN = 8;
export const OPERATOR_PASSWORD_MAX = 128;

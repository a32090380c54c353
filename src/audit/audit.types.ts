/**
 * Who acted: a signed-in operator, the admin token (automation), the CLI on the server, or a customer acting on
 * their own account in the portal (rotating their app_key).
 */
export type ActorKind = 'operator' | 'token' | 'cli' | 'customer';

export interface AuditInput {
  readonly actorKind: ActorKind;
  readonly operatorId?: number | undefined;
  /** The operator's email, `admin-token`, `cli`, or the customer's email. */
  readonly actor: string;
  /** What was done, e.g. `POST /admin/users/:id/packages`. */
  readonly action: string;
  readonly targetType?: string | undefined;
  readonly targetId?: string | number | undefined;
  readonly ip?: string | undefined;
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The error key when refused. */
  readonly error?: string | undefined;
  /** The request's parameters and body; secrets are redacted before storing. */
  readonly request?: unknown;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditEntry {
  readonly id: number;
  readonly createdAt: number;
  readonly actorKind: ActorKind;
  readonly operatorId: number | null;
  readonly actor: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly ip: string;
  readonly status: number;
  readonly error: string;
  readonly request: unknown;
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditFilter {
  /** An operator id, an operator email, or `admin-token` / `cli`. */
  readonly actor?: string | undefined;
  /** Exact action, or a prefix ending in `*` (e.g. `POST /admin/nodes*`). */
  readonly action?: string | undefined;
  readonly targetType?: string | undefined;
  readonly targetId?: string | undefined;
  /** Epoch ms, inclusive. */
  readonly from?: number | undefined;
  /** Epoch ms, exclusive. */
  readonly to?: number | undefined;
  readonly page: number;
  readonly size: number;
}

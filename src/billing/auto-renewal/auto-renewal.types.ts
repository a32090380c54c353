/** Auto-renewal of packages: what the customer marks, and what each attempt did. */

/** The newer release's `renew_duration` on packages: renew once (`1m`), twice (`2m`), or every period (`em`). */
export const RENEW_DURATIONS = ['1m', '2m', 'em'] as const;
export type RenewDuration = (typeof RENEW_DURATIONS)[number];

/** Renewals a `renew_duration` asks for; null: every period until turned off. */
export function renewalsOf(duration: RenewDuration): number | null {
  return duration === 'em' ? null : Number(duration.slice(0, -1));
}

/** The `renew_duration` shown for renewals left (null: `em`). */
export function durationOf(remaining: number | null): string {
  return remaining === null ? 'em' : `${remaining}m`;
}

export const LOG_PAGE_SIZE_DEFAULT = 20;
export const LOG_PAGE_SIZE_MAX = 100;

/** A package's auto-renewal setting, as `user-product/get-auto-renewal` shows it. */
export interface AutoRenewal {
  readonly packageId: number;
  readonly enabled: boolean;
  /** Renewals left; null: every period. Meaningful while enabled. */
  readonly remaining: number | null;
  /** The product a renewal buys again (the package's order), when known. */
  readonly productId: number | null;
  readonly productName: string;
  /** Units each renewal buys (the package's order `amount`). */
  readonly amount: number;
  readonly packageExpiresAt: number;
  /** When the next attempt is due (enabled only). */
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  /** Failed attempts since the last renewal. */
  readonly failures: number;
}

/** One attempt, as `user-product/auto-renewal-logs` lists it. */
export interface AutoRenewalLog {
  readonly id: number;
  readonly packageId: number;
  /** The package the renewal bought; null when it failed. */
  readonly newPackageId: number | null;
  readonly renewed: boolean;
  /** The renewal order's number ('' when it failed). */
  readonly tradeNo: string;
  readonly payFeeCents: number;
  /** The catalogued code of the failure; 0 when renewed. */
  readonly errorCode: number;
  readonly reason: string;
  readonly createdAt: number;
}

export interface AutoRenewalLogPage {
  readonly items: AutoRenewalLog[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
}

/** What one scheduler run did. */
export interface RenewalRun {
  readonly renewed: number;
  readonly failed: number;
}

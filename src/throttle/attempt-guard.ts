/**
 * Guards a secret check (a proxy password, a login password, the admin token) with failure budgets: one per
 * source address and, optionally, one per account across addresses. `begin` reserves in both before the
 * check, so concurrency cannot outrun them; `settle` records the outcome. A source that signed in to an
 * account recently is not held to that account's budget (TrustedSources), only to its own.
 */
import { type FailureBudget, TrustedSources } from './failure-budget.js';

/** A reserved attempt: settle it exactly once with the check's outcome. */
export interface Attempt {
  settle(failed: boolean): void;
}

/** Why an attempt was refused before any check, and when to retry. */
export interface Refused {
  readonly refused: 'source' | 'account';
  readonly retryAfterSeconds: number;
}

export interface AttemptGuardOptions {
  readonly bySource: FailureBudget;
  readonly byAccount?: FailureBudget | undefined;
  /** How long a source that signed in to an account stays exempt from that account's budget. */
  readonly trustMs?: number;
  readonly now?: () => number;
}

const DEFAULT_TRUST_MS = 7 * 86_400_000;

class Reservation implements Attempt {
  #open = true;

  constructor(
    private readonly guard: AttemptGuard,
    private readonly source: string,
    /**
     * The account whose budget was reserved, and which trusts `source` on success; undefined when there is none
     * or `source` is trusted by it already (a trusted source stays trusted for its time, not re-written each time).
     */
    private readonly account: string | undefined,
  ) {}

  settle(failed: boolean): void {
    if (!this.#open) return;
    this.#open = false;
    this.guard.settled(this.source, this.account, failed);
  }
}

export class AttemptGuard {
  readonly #bySource: FailureBudget;
  readonly #byAccount: FailureBudget | undefined;
  readonly #trusted: TrustedSources;

  constructor(options: AttemptGuardOptions) {
    this.#bySource = options.bySource;
    this.#byAccount = options.byAccount;
    this.#trusted = new TrustedSources(options.trustMs ?? DEFAULT_TRUST_MS, options.now);
  }

  /** Without reserving: 'blocked' when `source` is refused now, else the delay in ms to wait before the attempt. */
  peek(source: string): 'blocked' | number {
    return this.#bySource.peek(source);
  }

  /** Reserves one attempt of `source` (on `account`, when given) before the secret is checked. */
  begin(source: string, account?: string): Attempt | Refused {
    if (!this.#bySource.reserve(source)) {
      return { refused: 'source', retryAfterSeconds: this.#bySource.retryAfterSeconds(source) };
    }
    let reserved: string | undefined;
    if (account !== undefined && this.#byAccount && !this.#trusted.has(account, source)) {
      if (!this.#byAccount.reserve(account)) {
        this.#bySource.settle(source, false);
        return { refused: 'account', retryAfterSeconds: this.#byAccount.retryAfterSeconds(account) };
      }
      reserved = account;
    }
    return new Reservation(this, source, reserved);
  }

  /** @internal Reservation.settle. */
  settled(source: string, account: string | undefined, failed: boolean): void {
    this.#bySource.settle(source, failed);
    if (account === undefined) return;
    this.#byAccount?.settle(account, failed);
    if (!failed) this.#trusted.add(account, source);
  }
}

export function isRefused(x: Attempt | Refused): x is Refused {
  return 'refused' in x;
}

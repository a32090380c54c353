export { type Attempt, AttemptGuard, type AttemptGuardOptions, isRefused, type Refused } from './attempt-guard.js';
export {
  type BudgetRule,
  FailureBudget,
  type SharedBudget,
  type SharedCount,
  type SharedFailures,
  SLOW_DELAY_MS,
  TrustedSources,
} from './failure-budget.js';

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttemptGuard, isRefused, type Attempt, type Refused } from './attempt-guard.js';
import { FailureBudget, SLOW_DELAY_MS, TrustedSources } from './failure-budget.js';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('FailureBudget', () => {
  it('reserves at most `max` attempts before any is settled, and gives back successes', () => {
    const c = clock();
    const budget = new FailureBudget({ max: 3, windowMs: 60_000, blockMs: 300_000 }, c.now);
    assert.deepEqual(
      Array.from({ length: 5 }, () => budget.reserve('a')),
      [true, true, true, false, false],
    );
    assert.equal(budget.peek('a'), 'blocked');
    budget.settle('a', false);
    assert.equal(budget.reserve('a'), true, 'a success gives its place back');
    assert.equal(budget.reserve('b'), true, 'keys are apart');
  });

  it('blocks a key for blockMs at `max` failures, then opens a new window', () => {
    const c = clock();
    const budget = new FailureBudget({ max: 2, windowMs: 60_000, blockMs: 300_000 }, c.now);
    for (let i = 0; i < 2; i++) {
      assert.equal(budget.reserve('a'), true);
      budget.settle('a', true);
    }
    assert.equal(budget.reserve('a'), false);
    assert.equal(budget.retryAfterSeconds('a'), 300);
    c.t += 299_000;
    assert.equal(budget.reserve('a'), false);
    c.t += 1000;
    assert.equal(budget.peek('a'), 0);
    assert.equal(budget.reserve('a'), true);
  });

  it('forgets failures when their window ends without a block', () => {
    const c = clock();
    const budget = new FailureBudget({ max: 3, windowMs: 60_000, blockMs: 300_000 }, c.now);
    budget.reserve('a');
    budget.settle('a', true);
    budget.reserve('a');
    budget.settle('a', true);
    c.t += 60_000;
    for (let i = 0; i < 3; i++) assert.equal(budget.reserve('a'), true);
  });

  it('slows from `slowAfter` failures', () => {
    const c = clock();
    const budget = new FailureBudget({ max: 10, slowAfter: 2, windowMs: 60_000, blockMs: 1000 }, c.now);
    assert.equal(budget.peek('a'), 0);
    for (let i = 0; i < 2; i++) {
      budget.reserve('a');
      budget.settle('a', true);
    }
    assert.equal(budget.peek('a'), SLOW_DELAY_MS);
  });

  it('stays bounded under keys from everywhere', () => {
    const c = clock();
    const budget = new FailureBudget({ max: 1, windowMs: 60_000, blockMs: 60_000 }, c.now, 1000);
    for (let i = 0; i < 10_000; i++) {
      budget.reserve(`k${i}`);
      budget.settle(`k${i}`, true);
    }
    assert.equal(budget.reserve('k9999'), false, 'recent keys are kept');
  });
});

describe('TrustedSources', () => {
  it('remembers a source for a key until its time is up', () => {
    const c = clock();
    const trusted = new TrustedSources(1000, c.now);
    trusted.add('alice', '10.0.0.1');
    assert.equal(trusted.has('alice', '10.0.0.1'), true);
    assert.equal(trusted.has('alice', '10.0.0.2'), false);
    assert.equal(trusted.has('bob', '10.0.0.1'), false);
    c.t += 1000;
    assert.equal(trusted.has('alice', '10.0.0.1'), false);
  });
});

describe('AttemptGuard', () => {
  const guard = (c: ReturnType<typeof clock>) =>
    new AttemptGuard({
      bySource: new FailureBudget({ max: 5, windowMs: 60_000, blockMs: 60_000 }, c.now),
      byAccount: new FailureBudget({ max: 2, windowMs: 60_000, blockMs: 60_000 }, c.now),
      now: c.now,
    });
  const attempt = (x: Attempt | Refused): Attempt => {
    assert.ok(!isRefused(x), JSON.stringify(x));
    return x;
  };

  it('refuses an account past its budget to strangers, but not to a source that signed in to it', () => {
    const c = clock();
    const g = guard(c);
    attempt(g.begin('10.0.0.9', 'alice')).settle(false);
    for (let i = 0; i < 2; i++) attempt(g.begin(`10.0.1.${i}`, 'alice')).settle(true);
    const refused = g.begin('10.0.2.1', 'alice');
    assert.ok(isRefused(refused));
    assert.equal(refused.refused, 'account');
    attempt(g.begin('10.0.0.9', 'alice')).settle(false);
    attempt(g.begin('10.0.2.1', 'bob')).settle(false);
  });

  it('refuses a source past its own budget whatever the account, and gives back the account reservation', () => {
    const c = clock();
    const g = guard(c);
    const open = Array.from({ length: 5 }, (_, i) => attempt(g.begin('10.0.0.1', `n${i}`)));
    const refused = g.begin('10.0.0.1', 'n9');
    assert.ok(isRefused(refused));
    assert.equal(refused.refused, 'source');
    for (const a of open) a.settle(false);
    // n0 held one reservation only, and a settled attempt cannot be settled twice.
    open[0]!.settle(true);
    attempt(g.begin('10.0.0.2', 'n0')).settle(true);
    attempt(g.begin('10.0.0.3', 'n0')).settle(true);
    assert.ok(isRefused(g.begin('10.0.0.4', 'n0')));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetProblem } from './dialers.js';

describe('dial targets', () => {
  it('refuses targets no exit can dial', () => {
    assert.equal(targetProblem({ host: 'example.com', port: 443 }), undefined);
    assert.equal(targetProblem({ host: 'example.com.', port: 1 }), undefined);
    assert.equal(targetProblem({ host: '::1', port: 65535 }), undefined);
    for (const host of ['', 'exa mple.com', 'a\r\nHost: evil', 'x'.repeat(254), 'a..b', '-'.repeat(3) + '@']) {
      assert.ok(targetProblem({ host, port: 443 }), JSON.stringify(host));
    }
    for (const port of [0, -1, 65536, 1.5]) assert.ok(targetProblem({ host: 'a.b', port }), String(port));
  });
});

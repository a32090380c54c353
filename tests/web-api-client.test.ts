import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CLIENT_FILE, generateClient } from '../scripts/gen-web-api.js';

describe('web API client', () => {
  it('web/shared/api/schema.d.ts is what the routes describe now (else: npm run gen:web-api)', async () => {
    const expected = await generateClient();
    const current = readFileSync(CLIENT_FILE, 'utf8');
    assert.ok(current === expected, `${CLIENT_FILE} is stale: run npm run gen:web-api and commit it`);
    // The client knows the customer routes and their envelopes.
    assert.match(current, /'\/whitelist-account\/list': \{/);
    assert.match(current, /'\/user\/info': \{/);
  });
});

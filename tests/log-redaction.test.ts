/**
 * No credential reaches a log line, whatever its shape: the real logger (createLogger) writing at trace level,
 * its output captured, while the API serves requests carrying keys, tokens and passwords in every form
 * clients send them, and while code logs objects and messages that hold them.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/logger.js';
import { createUser, startTestPlatform, type TestPlatform } from './helpers/platform.js';

/** Secrets unlike any other text in the log, so a leak of any one is found by a plain search. */
const S = (n: number) => `SeCrEt${n}x${'q'.repeat(6)}`;

describe('log redaction', () => {
  let tp: TestPlatform;
  let lines: string[];
  let appKey: string;
  let logger: ReturnType<typeof createLogger>;

  before(async () => {
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((l) => l !== ''),
        );
        done();
      },
    });
    logger = createLogger('trace', false, sink);
    tp = await startTestPlatform('sqlite', {}, { logger });
    appKey = (await createUser(tp)).appKey;
  });
  after(() => tp.close());

  const leaks = (secrets: string[]) => lines.filter((line) => secrets.some((s) => line.includes(s)));

  it('request logs carry no credential from the query, in any shape', async () => {
    const before = lines.length;
    const urls = [
      `/gateway/user/info?app_key[]=${S(1)}`,
      `/gateway/user/info?access_token=${S(2)}`,
      `/gateway/user/info?a[b][app_key]=${S(3)}`,
      `/gateway/user/info?app%5Fkey=${S(4)}`,
      `/gateway/user/info?x=1&password=${S(5)}&language=en`,
      `/gateway/whitelist-account/change-password?account=a1&password=${S(6)}&app_key=${encodeURIComponent(appKey)}`,
      `/gateway/whitelist-account/add?accounts=u1:${S(7)},u2:${S(8)}`,
      `/gateway/user/info?APP_KEY=${S(9)}&secret=${S(10)}&client_secret=${S(11)}`,
      `/gateway/user/info?app_key=${encodeURIComponent(appKey)}`,
    ];
    for (const url of urls) await tp.app.inject({ method: url.includes('/user/info') ? 'GET' : 'POST', url });
    assert.ok(lines.length - before >= urls.length * 2, 'each request logged its start and end');
    assert.ok(
      lines.some((l) => l.includes('/gateway/user/info?x=1&password=[redacted]&language=en')),
      'the URL is logged, only the value redacted',
    );
    assert.deepEqual(leaks([...Array.from({ length: 11 }, (_, i) => S(i + 1)), appKey]), []);
  });

  it('bodies, form fields and Authorization headers carry none either', async () => {
    const before = lines.length;
    await tp.app.inject({
      method: 'POST',
      url: '/gateway/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${S(20)}` },
      payload: `email=a%40b.c&password=${S(21)}`,
    });
    await tp.app.inject({
      method: 'POST',
      url: '/gateway/white-ip/add',
      headers: { 'content-type': 'application/json' },
      payload: `{"app_key":"${S(22)}","nested":{"token":"${S(23)}"},"ips":`,
    });
    assert.ok(
      lines.slice(before).some((l) => l.includes('/gateway/auth/login')),
      'the requests were logged',
    );
    assert.deepEqual(leaks([S(20), S(21), S(22), S(23)]), []);
  });

  it('anything code logs: nested fields, arrays, errors, messages with query or JSON text', () => {
    logger.info({ user: { credentials: { password: S(30) }, list: [{ appKey: S(31) }] } }, 'nested');
    logger.info({ body: `app_key=${S(32)}&remark=x` }, 'a form body as text');
    logger.warn(`calling /pub/ip/v3?app_key[]=${S(33)}&num=1`);
    logger.error({ err: new Error(`Unexpected token in JSON: {"access_token":"${S(34)}"}`) }, 'parse failed');
    logger.info({ headers: { authorization: `Basic ${S(35)}`, cookie: `sid=${S(36)}` } }, 'headers');
    logger.info({ packet: Buffer.from(`GET /x?app_key=${S(37)} HTTP/1.1`) }, 'raw bytes');
    assert.deepEqual(leaks([30, 31, 32, 33, 34, 35, 36, 37].map(S)), []);
    const nested = lines.find((l) => l.includes('"msg":"nested"'));
    assert.ok(nested?.includes('"credentials":"[redacted]"') && nested.includes('"appKey":"[redacted]"'), nested);
    assert.ok(
      lines.some((l) => l.includes('"remark=x') || l.includes('&remark=x')),
      'the rest of the text stays',
    );
  });
});

/** Whitelisted IPs: the address parser, and WhiteIpsService on a real database of every dialect. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUser, dialects, startTestPlatform, type TestPlatform } from '../../tests/helpers/platform.js';
import { AppError } from '../errors/index.js';
import { canonicalIp, WhiteIpsService } from './white-ips.service.js';
import { UserLimitsService } from './user-limits.service.js';

async function expectError(promise: Promise<unknown>, key: string): Promise<AppError> {
  const err = await promise.then(
    () => assert.fail(`expected ${key}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.key, key, err.message);
  return err;
}

describe('canonicalIp', () => {
  const valid: [string, string][] = [
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.1', '0.0.0.1'],
    ['255.255.255.254', '255.255.255.254'],
    ['2001:DB8::0001', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    // RFC 5952 §4.2.3: the first of two equal zero runs is compressed.
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // RFC 5952 §4.2.2: a single zero field is not compressed.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::1', '::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:0102:0304', '1.2.3.4'],
    ['2001:db8::1.2.3.4', '2001:db8::102:304'],
  ];
  for (const [input, expected] of valid) {
    it(`accepts ${input} as ${expected}`, () => assert.equal(canonicalIp(input), expected));
  }

  const invalid = [
    '',
    ' 1.2.3.4',
    '1.2.3',
    '127.1',
    '0x7f.0.0.1',
    '010.0.0.1',
    '1.2.3.04',
    '1.2.3.256',
    '1.2.3.4/32',
    '2001:db8::/32',
    'fe80::1%eth0',
    'fe80::1%1',
    '[::1]',
    '1.2.3.4:80',
    'example.com',
    'localhost',
    '2001:db8:::1',
    '1:2:3:4:5:6:7:8:9',
    '::ffff:1.2.3',
  ];
  for (const input of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => assert.equal(canonicalIp(input), undefined));
  }
});

for (const dialect of dialects()) {
  describe(`WhiteIpsService on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = 1_800_000_000_000;
    const now = () => clock;
    let service: WhiteIpsService;

    const changes = (userId: number) =>
      tp.platform.storage.db
        .selectFrom('change_log')
        .select(['entity_id', 'created_at'])
        .where('entity', '=', 'white_ip')
        .where('entity_id', '=', userId)
        .orderBy('id')
        .execute();
    const ipsOf = async (userId: number) => (await service.list(userId)).map((w) => w.ip);

    before(async () => {
      tp = await startTestPlatform(dialect);
      const limits = new UserLimitsService(tp.platform.storage.db, { ...tp.platform.config.limits, whiteIps: 5 });
      service = new WhiteIpsService(tp.platform.storage.db, tp.platform.storage.caps, { limits, now });
    });
    after(() => tp.close());

    it('adds canonical addresses in the order given and lists them newest first', async () => {
      const u = await createUser(tp);
      clock += 1000;
      const added = await service.add(u.id, ' 203.0.113.7 , 2001:DB8::0001,,::ffff:198.51.100.1, ', 'office');
      assert.deepEqual(
        added.map((w) => [w.ip, w.remark, w.createdAt]),
        [
          ['203.0.113.7', 'office', clock],
          ['2001:db8::1', 'office', clock],
          ['198.51.100.1', 'office', clock],
        ],
      );
      assert.equal(new Set(added.map((w) => w.id)).size, 3);
      clock += 1000;
      await service.add(u.id, '192.0.2.9', '');
      const listed = await service.list(u.id);
      assert.deepEqual(
        listed.map((w) => w.ip),
        ['192.0.2.9', '198.51.100.1', '2001:db8::1', '203.0.113.7'],
      );
      assert.deepEqual(listed[1], added[2]);
      assert.deepEqual(await changes(u.id), [
        { entity_id: u.id, created_at: clock - 1000 },
        { entity_id: u.id, created_at: clock },
      ]);
    });

    it('names every invalid entry and stores nothing', async () => {
      const u = await createUser(tp);
      const err = await expectError(
        service.add(u.id, '192.0.2.1,example.com,10.0.0.0/8,fe80::1%eth0,0.0.0.0,224.0.0.1,255.255.255.255,::', ''),
        'TG_ERR_WHITE_IP_INVALID',
      );
      assert.deepEqual(err.data, {
        ips: ['example.com', '10.0.0.0/8', 'fe80::1%eth0', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::'],
      });
      assert.match(err.message, /example\.com, 10\.0\.0\.0\/8, fe80::1%eth0/);
      assert.deepEqual(await ipsOf(u.id), []);
      assert.deepEqual(await changes(u.id), []);
      await expectError(service.add(u.id, ' , ', ''), 'TG_ERR_PARAM_INVALID');
      const remark = await expectError(service.add(u.id, '192.0.2.1', 'x'.repeat(65)), 'TG_ERR_PARAM_INVALID');
      assert.ok(remark.errors?.remark);
      assert.deepEqual(await ipsOf(u.id), []);
    });

    it('refuses duplicates in the batch, of the user and of another user, storing nothing', async () => {
      const a = await createUser(tp);
      const b = await createUser(tp);
      const inBatch = await expectError(
        service.add(a.id, '192.0.2.20,::ffff:192.0.2.20,192.0.2.21', ''),
        'TG_ERR_WHITE_IP_DUPLICATE',
      );
      assert.deepEqual(inBatch.data, { ips: ['192.0.2.20'] });
      await service.add(a.id, '192.0.2.20,2001:db8::20', '');
      const own = await expectError(service.add(a.id, '192.0.2.22,2001:DB8:0::20', ''), 'TG_ERR_WHITE_IP_DUPLICATE');
      assert.deepEqual(own.data, { ips: ['2001:db8::20'] });
      const other = await expectError(service.add(b.id, '192.0.2.23,192.0.2.20', ''), 'TG_ERR_WHITE_IP_DUPLICATE');
      assert.deepEqual(other.data, { ips: ['192.0.2.20'] });
      assert.deepEqual(await ipsOf(a.id), ['2001:db8::20', '192.0.2.20']);
      assert.deepEqual(await ipsOf(b.id), []);
      assert.equal((await changes(a.id)).length, 1);
    });

    it('counts existing addresses against the limit', async () => {
      const u = await createUser(tp);
      await service.add(u.id, '198.51.100.11,198.51.100.12,198.51.100.13', '');
      const err = await expectError(service.add(u.id, '198.51.100.14,198.51.100.15,198.51.100.16', ''), 'TG_ERR_WHITE_IP_LIMIT');
      assert.deepEqual(err.params, { max: 5 });
      await expectError(
        service.add(u.id, Array.from({ length: 6 }, (_, i) => `198.18.0.${i + 1}`).join(','), ''),
        'TG_ERR_WHITE_IP_LIMIT',
      );
      assert.equal((await ipsOf(u.id)).length, 3);
      await service.add(u.id, '198.51.100.14,198.51.100.15', '');
      await expectError(service.add(u.id, '198.51.100.16', ''), 'TG_ERR_WHITE_IP_LIMIT');
      assert.equal((await ipsOf(u.id)).length, 5);
    });

    it('gives an address to one of two users adding it at once, and keeps one user within the limit under concurrency', async () => {
      const a = await createUser(tp);
      const b = await createUser(tp);
      const results = await Promise.allSettled([service.add(a.id, '192.0.2.50', ''), service.add(b.id, '192.0.2.50', '')]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = results.find((r) => r.status === 'rejected');
      assert.ok(rejected?.reason instanceof AppError);
      assert.equal(rejected.reason.key, 'TG_ERR_WHITE_IP_DUPLICATE');
      assert.equal((await ipsOf(a.id)).length + (await ipsOf(b.id)).length, 1);

      const c = await createUser(tp);
      const batches = ['192.0.2.60,192.0.2.61', '192.0.2.62,192.0.2.63', '192.0.2.64,192.0.2.65'];
      const outcomes = await Promise.allSettled(batches.map((ips) => service.add(c.id, ips, '')));
      assert.equal(outcomes.filter((r) => r.status === 'fulfilled').length, 2);
      assert.equal((await ipsOf(c.id)).length, 4);
    });

    it('deletes by ids and by addresses, all or none', async () => {
      const u = await createUser(tp);
      const other = await createUser(tp);
      const added = await service.add(u.id, '203.0.113.1,203.0.113.2,2001:db8::3,203.0.113.4', '');
      const [theirs] = await service.add(other.id, '203.0.113.9', '');
      assert.ok(theirs);
      const before = (await changes(u.id)).length;

      const unknown = await expectError(
        service.delete(u.id, { ids: `${added[0]?.id},999999,${theirs.id}`, ips: '2001:DB8::3,203.0.113.9,203.0.113.77' }),
        'TG_ERR_WHITE_IP_NOT_FOUND',
      );
      assert.deepEqual(unknown.data, { ids: [999999, theirs.id], ips: ['203.0.113.9', '203.0.113.77'] });
      assert.equal(unknown.params.ids, `999999, ${theirs.id}, 203.0.113.9, 203.0.113.77`);
      assert.equal((await ipsOf(u.id)).length, 4);
      assert.deepEqual(await ipsOf(other.id), ['203.0.113.9']);
      assert.equal((await changes(u.id)).length, before);

      await expectError(service.delete(u.id, { ids: '1,abc,-2' }), 'TG_ERR_PARAM_INVALID');
      await expectError(service.delete(u.id, { ips: '203.0.113.1,nope' }), 'TG_ERR_WHITE_IP_INVALID');
      await expectError(service.delete(u.id, {}), 'TG_ERR_PARAM_INVALID');
      await expectError(service.delete(u.id, { ids: ' , ', ips: '' }), 'TG_ERR_PARAM_INVALID');
      assert.equal((await ipsOf(u.id)).length, 4);

      clock += 1000;
      // The same entry named by id and by address (and twice) is deleted once.
      await service.delete(u.id, { ids: `${added[0]?.id},${added[0]?.id}`, ips: '203.0.113.1,2001:db8:0:0::3' });
      assert.deepEqual(await ipsOf(u.id), ['203.0.113.4', '203.0.113.2']);
      await service.delete(u.id, { ips: '::ffff:203.0.113.2' });
      await service.delete(u.id, { ids: String(added[3]?.id) });
      assert.deepEqual(await ipsOf(u.id), []);
      const log = await changes(u.id);
      assert.equal(log.length, before + 3);
      assert.deepEqual(log.at(-3), { entity_id: u.id, created_at: clock });
    });

    it('answers the gateway: owner of an address, a user’s addresses, all of them', async () => {
      const a = await createUser(tp);
      const b = await createUser(tp);
      await service.add(a.id, '100.64.0.1,2001:db8:a::1', '');
      await service.add(b.id, '100.64.0.2', '');
      assert.equal(await service.ownerOf('100.64.0.1'), a.id);
      assert.equal(await service.ownerOf('::ffff:100.64.0.1'), a.id);
      assert.equal(await service.ownerOf('2001:DB8:A:0::1'), a.id);
      assert.equal(await service.ownerOf('100.64.0.2'), b.id);
      assert.equal(await service.ownerOf('100.64.0.3'), undefined);
      assert.equal(await service.ownerOf('not an ip'), undefined);
      assert.deepEqual(await service.allByUser(a.id), ['100.64.0.1', '2001:db8:a::1']);
      const all = await service.all();
      assert.deepEqual(
        all.filter((e) => e.userId === a.id || e.userId === b.id),
        [
          { ip: '100.64.0.1', userId: a.id },
          { ip: '2001:db8:a::1', userId: a.id },
          { ip: '100.64.0.2', userId: b.id },
        ],
      );
    });
  });
}

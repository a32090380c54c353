/** StaticIpsService on a real database of every dialect, with a clock the tests move; and the status rule. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createUser, dialects, startTestPlatform, type TestPlatform } from '../../tests/helpers/platform.js';
import { SecretBox } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import { type StaticIpsService, statusOf } from './static-ips.service.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

async function expectError(promise: Promise<unknown>, key: string): Promise<AppError> {
  const err = await promise.then(
    () => assert.fail(`expected ${key}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.key, key, err.message);
  return err;
}

describe('statusOf', () => {
  const now = T0;
  const cases: [string, { expiresAt: number; releasedAt: number | null; maintenance: boolean }, number][] = [
    ['valid', { expiresAt: now + 10 * DAY, releasedAt: null, maintenance: false }, 1],
    ['valid, just over 3 days left', { expiresAt: now + 3 * DAY + 1, releasedAt: null, maintenance: false }, 1],
    ['exactly 3 days left', { expiresAt: now + 3 * DAY, releasedAt: null, maintenance: false }, 3],
    ['1 ms left', { expiresAt: now + 1, releasedAt: null, maintenance: false }, 3],
    ['expires now', { expiresAt: now, releasedAt: null, maintenance: false }, 2],
    ['expired', { expiresAt: now - DAY, releasedAt: null, maintenance: false }, 2],
    ['released', { expiresAt: now + 10 * DAY, releasedAt: now - 1, maintenance: false }, 2],
    ['valid, in maintenance', { expiresAt: now + 10 * DAY, releasedAt: null, maintenance: true }, 4],
    ['expiring, in maintenance', { expiresAt: now + DAY, releasedAt: null, maintenance: true }, 4],
    ['expired, in maintenance', { expiresAt: now - 1, releasedAt: null, maintenance: true }, 2],
    ['released, in maintenance', { expiresAt: now + DAY, releasedAt: now - 1, maintenance: true }, 2],
  ];
  for (const [name, allocation, status] of cases) {
    it(`${name}: ${status}`, () => assert.equal(statusOf(allocation, now), status));
  }
});

for (const dialect of dialects()) {
  describe(`StaticIpsService on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T0;
    let service: StaticIpsService;
    let box: SecretBox;

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now: () => clock });
      service = tp.platform.services.staticIps;
      box = new SecretBox(tp.platform.config.secret, 'static-ip-url');
    });
    after(() => tp.close());
    beforeEach(async () => {
      clock = T0;
      await tp.platform.storage.db.deleteFrom('static_ip_allocations').execute();
      await tp.platform.storage.db.deleteFrom('static_ips').execute();
      await tp.platform.storage.db.deleteFrom('change_log').execute();
    });

    const changes = async () =>
      (
        await tp.platform.storage.db
          .selectFrom('change_log')
          .select(['entity', 'entity_id'])
          .where('entity', '=', 'static_ip')
          .orderBy('id')
          .execute()
      ).map((r) => Number(r.entity_id));

    let port = 10_000;
    const addMany = async (n: number, country = 'US', productType = 25) => {
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        ids.push((await service.add({ ip: '203.0.113.10', port: port++, country, productType })).id);
      }
      return ids;
    };

    describe('add', () => {
      it('defaults the exit to direct://IP, normalizes fields, seals the URL and logs the change', async () => {
        const added = await service.add({
          ip: ' 2001:DB8::0001 ',
          port: 8000,
          country: 'us',
          state: 'CA',
          city: 'San_Jose',
          productType: 14,
        });
        assert.deepEqual(
          { ...added, id: 0 },
          {
            id: 0,
            ip: '2001:db8::1',
            port: 8000,
            country: 'US',
            state: 'ca',
            city: 'san_jose',
            productType: 14,
            urlDisplay: 'direct://[2001:db8::1]',
            maintenance: false,
            asn: 0,
            createdAt: T0,
            updatedAt: T0,
            allocation: null,
          },
        );
        const row = await tp.platform.storage.db
          .selectFrom('static_ips')
          .selectAll()
          .where('id', '=', added.id)
          .executeTakeFirstOrThrow();
        assert.notEqual(row.url_enc, 'direct://[2001:db8::1]');
        assert.equal(box.decrypt(row.url_enc), 'direct://[2001:db8::1]');
        assert.deepEqual(await changes(), [added.id]);
      });

      it('takes an upstream URL, shown masked, routed through in clear', async () => {
        const added = await service.add({
          ip: '198.51.100.7',
          port: 1080,
          country: 'DE',
          productType: 25,
          url: 'socks5://bob:p%40ss@Proxy.Example.com:1080',
        });
        assert.equal(added.urlDisplay, 'socks5://bob:***@proxy.example.com:1080');
        const u = await createUser(tp);
        const [allocation] = await service.allocate({ userId: u.id, country: 'DE', productType: 25, count: 1, days: 30 });
        const exits = await service.validExitsFor(u.id, 25);
        assert.deepEqual(exits, [
          {
            allocationId: allocation!.id,
            staticIpId: added.id,
            ip: '198.51.100.7',
            port: 1080,
            url: 'socks5://bob:p%40ss@proxy.example.com:1080',
            country: 'DE',
            expiresAt: allocation!.expiresAt,
          },
        ]);
      });

      it('names every bad field at once and adds nothing', async () => {
        const err = await expectError(
          service.add({
            ip: '1.2.3',
            port: 0,
            country: 'XX',
            state: 'new york',
            city: 'ok',
            productType: 9,
            url: 'ftp://example.com',
          }),
          'TG_ERR_PARAM_INVALID',
        );
        assert.deepEqual(Object.keys(err.errors ?? {}).sort(), ['country', 'ip', 'port', 'product_type', 'state', 'url']);
        for (const ip of ['0.0.0.0', '224.0.0.1', '::', '010.0.0.1', 'example.com']) {
          const bad = await expectError(service.add({ ip, port: 1, country: 'US', productType: 25 }), 'TG_ERR_PARAM_INVALID');
          assert.deepEqual(Object.keys(bad.errors ?? {}), ['ip'], ip);
        }
        assert.deepEqual(await service.list(), []);
        assert.deepEqual(await changes(), []);
      });

      it('refuses an ip:port already in the inventory, in any spelling', async () => {
        await service.add({ ip: '2001:db8::1', port: 80, country: 'US', productType: 25 });
        const err = await expectError(
          service.add({ ip: '2001:DB8:0:0:0:0:0:1', port: 80, country: 'JP', productType: 14 }),
          'TG_ERR_STATIC_IP_EXISTS',
        );
        assert.equal(err.message, 'Static IP already in the inventory: [2001:db8::1]:80');
        // Same address, another port: a different static IP.
        await service.add({ ip: '2001:db8::1', port: 81, country: 'US', productType: 25 });
        // Two adds of one address at once: one wins.
        const results = await Promise.allSettled([
          service.add({ ip: '192.0.2.1', port: 80, country: 'US', productType: 25 }),
          service.add({ ip: '192.0.2.1', port: 80, country: 'US', productType: 25 }),
        ]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        const rejected = results.find((r) => r.status === 'rejected');
        assert.equal((rejected as PromiseRejectedResult).reason.key, 'TG_ERR_STATIC_IP_EXISTS');
        assert.equal((await service.list()).length, 3);
      });
    });

    describe('allocate', () => {
      it('takes free, in-service IPs of the country and type only', async () => {
        const us = await addMany(3, 'US', 25);
        await addMany(2, 'US', 14);
        await addMany(2, 'JP', 25);
        await service.setMaintenance(us[0]!, true);
        const u = await createUser(tp);
        await tp.platform.storage.db.deleteFrom('change_log').execute();
        const list = await service.allocate({ userId: u.id, country: 'us', productType: 25, count: 2, days: 30, tradeNo: 'T1' });
        assert.deepEqual(
          list.map((a) => [a.staticIpId, a.userId, a.tradeNo, a.createdAt, a.expiresAt, a.releasedAt, a.country, a.productType]),
          [
            [us[1], u.id, 'T1', T0, T0 + 30 * DAY, null, 'US', 25],
            [us[2], u.id, 'T1', T0, T0 + 30 * DAY, null, 'US', 25],
          ],
        );
        assert.deepEqual(await changes(), [us[1], us[2]]);
        const listed = await service.list({ country: 'US', productType: 25 });
        assert.deepEqual(
          listed.map((s) => s.allocation && [s.allocation.id, s.allocation.userId, s.allocation.expiresAt]),
          [null, [list[0]!.id, u.id, T0 + 30 * DAY], [list[1]!.id, u.id, T0 + 30 * DAY]],
        );
      });

      it('with too few free changes nothing and names the region', async () => {
        await addMany(2, 'US', 25);
        const u = await createUser(tp);
        const other = await createUser(tp);
        await service.allocate({ userId: other.id, country: 'US', productType: 25, count: 1, days: 1 });
        await tp.platform.storage.db.deleteFrom('change_log').execute();
        const err = await expectError(
          service.allocate({ userId: u.id, country: 'US', productType: 25, count: 2, days: 30 }),
          'TG_ERR_STATIC_IP_UNAVAILABLE',
        );
        assert.equal(err.message, 'Not enough unallocated static IPs: US:2');
        assert.deepEqual(err.data, { region: 'US:2', available: 1 });
        assert.deepEqual(await service.validExitsFor(u.id, 25), []);
        assert.deepEqual(await changes(), []);
        assert.deepEqual(await service.regionCounts(25), [{ country: 'US', number: 1 }]);
      });

      it('refuses bad input and unknown users', async () => {
        await addMany(1);
        const u = await createUser(tp);
        const err = await expectError(
          service.allocate({ userId: u.id, country: 'ZZ', productType: 11, count: 0, days: 1.5 }),
          'TG_ERR_PARAM_INVALID',
        );
        assert.deepEqual(Object.keys(err.errors ?? {}).sort(), ['count', 'country', 'days', 'product_type']);
        await expectError(
          service.allocate({ userId: 999_999, country: 'US', productType: 25, count: 1, days: 1 }),
          'TG_ERR_USER_NOT_FOUND',
        );
        assert.deepEqual(await service.regionCounts(25), [{ country: 'US', number: 1 }]);
      });

      it('never gives one IP twice: concurrent calls for the last one, exactly one wins', async () => {
        await addMany(1);
        const users = await Promise.all([createUser(tp), createUser(tp), createUser(tp)]);
        const results = await Promise.allSettled(
          users.map((u) => service.allocate({ userId: u.id, country: 'US', productType: 25, count: 1, days: 7 })),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) {
          if (r.status === 'rejected') assert.equal(r.reason.key, 'TG_ERR_STATIC_IP_UNAVAILABLE');
        }
        const held = await tp.platform.storage.db.selectFrom('static_ip_allocations').selectAll().execute();
        assert.equal(held.length, 1);
      });

      it('never gives one IP twice: many concurrent calls of two each over five IPs', async () => {
        await addMany(5);
        const users = await Promise.all(Array.from({ length: 6 }, () => createUser(tp)));
        const results = await Promise.allSettled(
          users.map((u) => service.allocate({ userId: u.id, country: 'US', productType: 25, count: 2, days: 7 })),
        );
        const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        assert.equal(won.length, 2);
        const ips = won.flat().map((a) => a.staticIpId);
        assert.equal(new Set(ips).size, 4);
        const rows = await tp.platform.storage.db.selectFrom('static_ip_allocations').select('static_ip_id').execute();
        assert.equal(rows.length, 4);
        assert.deepEqual(await service.regionCounts(25), [{ country: 'US', number: 1 }]);
      });
    });

    describe('region counts', () => {
      it('count free, in-service IPs per country; drop on allocation, come back on expiry and release', async () => {
        await addMany(3, 'US', 25);
        const [jp] = await addMany(2, 'JP', 25);
        await addMany(4, 'GB', 14);
        await service.setMaintenance(jp!, true);
        assert.deepEqual(await service.regionCounts(25), [
          { country: 'JP', number: 1 },
          { country: 'US', number: 3 },
        ]);
        assert.deepEqual(await service.regionCounts(14), [{ country: 'GB', number: 4 }]);
        const u = await createUser(tp);
        const short = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 1, days: 1 });
        const long = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 2, days: 5 });
        await service.allocate({ userId: u.id, country: 'JP', productType: 25, count: 1, days: 5 });
        assert.deepEqual(await service.regionCounts(25), []);
        clock = T0 + DAY - 1;
        assert.deepEqual(await service.regionCounts(25), []);
        clock = T0 + DAY;
        assert.deepEqual(await service.regionCounts(25), [{ country: 'US', number: 1 }]);
        assert.equal(short[0]!.expiresAt, T0 + DAY);
        await service.release(long[0]!.id);
        assert.deepEqual(await service.regionCounts(25), [{ country: 'US', number: 2 }]);
        await service.setMaintenance(jp!, false);
        assert.deepEqual(await service.regionCounts(25), [
          { country: 'JP', number: 1 },
          { country: 'US', number: 2 },
        ]);
      });
    });

    describe('renew, release, remove, maintenance', () => {
      it('renew extends from the expiry, or from now once expired; all or none', async () => {
        const [a, b] = await addMany(2);
        const u = await createUser(tp);
        const [first, second] = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 2, days: 10 });
        clock = T0 + 2 * DAY;
        const renewed = await service.renew(u.id, [first!.id], 30);
        assert.equal(renewed[0]!.expiresAt, T0 + 40 * DAY);
        clock = T0 + 15 * DAY; // second expired 5 days ago
        await tp.platform.storage.db.deleteFrom('change_log').execute();
        const both = await service.renew(u.id, [second!.id, first!.id, first!.id], 10);
        assert.deepEqual(
          both.map((x) => [x.id, x.expiresAt]),
          [
            [first!.id, T0 + 50 * DAY],
            [second!.id, T0 + 25 * DAY],
          ],
        );
        assert.deepEqual((await changes()).sort(), [a!, b!].sort());

        const other = await createUser(tp);
        const err = await expectError(service.renew(other.id, [first!.id, 999_999], 10), 'TG_ERR_STATIC_IP_NO_ALLOCATION');
        assert.deepEqual(err.data, { ids: [first!.id, 999_999] });
        await expectError(service.renew(u.id, [first!.id], 0), 'TG_ERR_PARAM_INVALID');
        await expectError(service.renew(u.id, [], 1), 'TG_ERR_PARAM_INVALID');
        const [again] = await service.validExitsFor(u.id, 25);
        assert.equal(again!.allocationId, first!.id);
        assert.equal((await service.list())[0]!.allocation!.expiresAt, T0 + 50 * DAY);
      });

      it('renew refuses a released allocation, and an expired one whose IP someone else holds now', async () => {
        await addMany(1);
        const u = await createUser(tp);
        const other = await createUser(tp);
        const [mine] = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 1, days: 1 });
        clock = T0 + 2 * DAY;
        const [theirs] = await service.allocate({ userId: other.id, country: 'US', productType: 25, count: 1, days: 5 });
        await expectError(service.renew(u.id, [mine!.id], 30), 'TG_ERR_STATIC_IP_ALLOCATED');
        await service.release(theirs!.id);
        await expectError(service.renew(other.id, [theirs!.id], 30), 'TG_ERR_STATIC_IP_NO_ALLOCATION');
        // Free again: the old holder may renew from now.
        const [renewed] = await service.renew(u.id, [mine!.id], 3);
        assert.equal(renewed!.expiresAt, T0 + 5 * DAY);
      });

      it('release frees the IP now; a released or expired allocation cannot be released', async () => {
        const [ip] = await addMany(1);
        const u = await createUser(tp);
        const [a] = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 1, days: 2 });
        clock = T0 + 1000;
        await tp.platform.storage.db.deleteFrom('change_log').execute();
        const released = await service.release(a!.id);
        assert.equal(released.releasedAt, T0 + 1000);
        assert.deepEqual(await changes(), [ip]);
        assert.deepEqual(await service.validExitsFor(u.id, 25), []);
        assert.equal(await service.holderOf(ip!), undefined);
        await expectError(service.release(a!.id), 'TG_ERR_STATIC_IP_NO_ALLOCATION');
        await expectError(service.release(999_999), 'TG_ERR_STATIC_IP_NO_ALLOCATION');
        const [b] = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 1, days: 1 });
        clock = T0 + 2 * DAY;
        await expectError(service.release(b!.id), 'TG_ERR_STATIC_IP_NO_ALLOCATION');
      });

      it('remove is refused while allocated and works once free', async () => {
        const [ip] = await addMany(1);
        const u = await createUser(tp);
        const [a] = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 1, days: 2 });
        await expectError(service.remove(ip!), 'TG_ERR_STATIC_IP_ALLOCATED');
        await service.setMaintenance(ip!, true);
        await expectError(service.remove(ip!), 'TG_ERR_STATIC_IP_ALLOCATED');
        await service.release(a!.id);
        await tp.platform.storage.db.deleteFrom('change_log').execute();
        await service.remove(ip!);
        assert.deepEqual(await service.list(), []);
        assert.deepEqual(await changes(), [ip]);
        await expectError(service.remove(ip!), 'TG_ERR_STATIC_IP_NOT_FOUND');
        await expectError(service.setMaintenance(ip!, true), 'TG_ERR_STATIC_IP_NOT_FOUND');
      });

      it('maintenance takes an IP out of the gateway’s exits and back, the holder keeping it', async () => {
        const [ip, other] = await addMany(2);
        const u = await createUser(tp);
        const list = await service.allocate({ userId: u.id, country: 'US', productType: 25, count: 2, days: 2 });
        assert.deepEqual(
          (await service.validExitsFor(u.id, 25)).map((e) => e.staticIpId),
          [ip, other],
        );
        assert.deepEqual(await service.validExitsFor(u.id, 14), []);
        const holder = await service.holderOf(ip!);
        assert.deepEqual(holder, {
          userId: u.id,
          productType: 25,
          exit: {
            allocationId: list[0]!.id,
            staticIpId: ip,
            ip: '203.0.113.10',
            port: list[0]!.port,
            url: 'direct://203.0.113.10',
            country: 'US',
            expiresAt: list[0]!.expiresAt,
          },
        });
        await tp.platform.storage.db.deleteFrom('change_log').execute();
        const on = await service.setMaintenance(ip!, true);
        assert.equal(on.maintenance, true);
        assert.equal(on.allocation?.userId, u.id);
        assert.deepEqual(await changes(), [ip]);
        assert.deepEqual(
          (await service.validExitsFor(u.id, 25)).map((e) => e.staticIpId),
          [other],
        );
        assert.equal(await service.holderOf(ip!), undefined);
        await service.setMaintenance(ip!, false);
        assert.equal((await service.holderOf(ip!))?.userId, u.id);
        // Expiry ends it for the gateway too, at the given instant.
        assert.deepEqual(await service.validExitsFor(u.id, 25, T0 + 2 * DAY), []);
        assert.equal(await service.holderOf(ip!, T0 + 2 * DAY), undefined);
      });
    });
  });
}

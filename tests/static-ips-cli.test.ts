/**
 * `tollgate static …` in process: the commands registered on a Commander program,
 * opening a real platform of every dialect, printing into an array.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Command, InvalidArgumentError } from 'commander';
import { registerStaticIpCommands } from '../src/cli/static-ips.js';
import { AppError } from '../src/errors/index.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const DAY = 86_400_000;

for (const dialect of dialects()) {
  describe(`tollgate static on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T0;
    let lines: string[] = [];

    const tollgate = async (...args: string[]): Promise<string[]> => {
      lines = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerStaticIpCommands(
        program,
        (fn) => fn({ staticIps: tp.platform.services.staticIps, users: tp.platform.services.users }),
        (line) => lines.push(line),
      );
      await program.parseAsync(['node', 'tollgate', 'static', ...args]);
      return lines;
    };

    const fails = async (args: string[], check: (err: unknown) => boolean) => {
      await assert.rejects(tollgate(...args), (err: unknown) => {
        assert.ok(check(err), String(err));
        return true;
      });
    };

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now: () => clock });
    });
    after(() => tp.close());
    beforeEach(async () => {
      clock = T0;
      await tp.platform.storage.db.deleteFrom('static_ip_allocations').execute();
      await tp.platform.storage.db.deleteFrom('static_ips').execute();
    });

    it('adds static IPs with every option, and lists them', async () => {
      const [added] = await tollgate(
        'add',
        '--ip',
        '203.0.113.10',
        '--port',
        '8000',
        '--country',
        'us',
        '--state',
        'CA',
        '--city',
        'san_jose',
        '--type',
        '25',
      );
      assert.match(
        added ?? '',
        /^added static IP \d+ 203\.0\.113\.10:8000 \(US\/ca\/san_jose, type 25, exit direct:\/\/203\.0\.113\.10\)$/,
      );
      const [json] = await tollgate(
        'add',
        '--ip',
        '198.51.100.7',
        '--port',
        '1080',
        '--country',
        'DE',
        '--type',
        '14',
        '--url',
        'socks5://bob:s3cret@198.51.100.7:1080',
        '--json',
      );
      const ip = JSON.parse(json ?? '{}');
      assert.deepEqual(
        { ...ip, id: 0 },
        {
          id: 0,
          ip: '198.51.100.7',
          port: 1080,
          country: 'DE',
          state: '',
          city: '',
          product_type: 14,
          url: 'socks5://bob:***@198.51.100.7:1080',
          maintenance: false,
          asn: 0,
          created_at: new Date(T0).toISOString(),
          allocation: null,
        },
      );

      const table = await tollgate('list');
      assert.equal(table.length, 3);
      assert.match(
        table[0] ?? '',
        /^id\s+address\s+country\s+state\s+city\s+type\s+asn\s+url\s+maintenance\s+user\s+allocation\s+expires$/,
      );
      assert.match(table[1] ?? '', /203\.0\.113\.10:8000\s+US\s+ca\s+san_jose\s+25\s+direct:\/\/203\.0\.113\.10\s+no$/);
      assert.match(table[2] ?? '', /198\.51\.100\.7:1080\s+DE\s+14\s+socks5:\/\/bob:\*\*\*@198\.51\.100\.7:1080\s+no$/);
      assert.doesNotMatch(table.join('\n'), /s3cret/);
      const [listed] = await tollgate('list', '--json');
      assert.deepEqual(
        JSON.parse(listed ?? '[]').map((s: { port: number }) => s.port),
        [8000, 1080],
      );
    });

    it('refuses bad input naming the options, and duplicates', async () => {
      await fails(
        ['add', '--ip', 'x', '--port', '80', '--country', 'ZZ', '--type', '9'],
        (err) => err instanceof InvalidArgumentError && /--ip .*--country .*--type /.test(err.message),
      );
      await fails(['add', '--ip', '192.0.2.1', '--port', 'eighty', '--country', 'US', '--type', '25'], (err) =>
        /an integer/.test(String((err as Error).message)),
      );
      await tollgate('add', '--ip', '192.0.2.1', '--port', '80', '--country', 'US', '--type', '25');
      await fails(
        ['add', '--ip', '192.0.2.1', '--port', '80', '--country', 'US', '--type', '25'],
        (err) => err instanceof AppError && err.key === 'TG_ERR_STATIC_IP_EXISTS',
      );
      const [json] = await tollgate('list', '--json');
      assert.equal(JSON.parse(json ?? '[]').length, 1);
    });

    it('records an ASN on add and with set-asn, filters the list by it, and refuses a bad one changing nothing', async () => {
      const [added] = await tollgate(
        'add',
        '--ip',
        '203.0.113.30',
        '--port',
        '8000',
        '--country',
        'US',
        '--type',
        '25',
        '--asn',
        '4200000000',
      );
      assert.match(added ?? '', /^added static IP \d+ 203\.0\.113\.30:8000 \(US, type 25, AS4200000000, exit /);
      const [plain] = await tollgate(
        'add',
        '--ip',
        '203.0.113.31',
        '--port',
        '8000',
        '--country',
        'US',
        '--type',
        '25',
        '--json',
      );
      const id = JSON.parse(plain ?? '{}').id as number;
      const [set] = await tollgate('set-asn', String(id), '7922');
      assert.match(set ?? '', /^ASN recorded: static IP \d+ 203\.0\.113\.31:8000 \(US, type 25, AS7922, /);
      const [only] = await tollgate('list', '--asn', '7922', '--json');
      assert.deepEqual(
        JSON.parse(only ?? '[]').map((s: { id: number; asn: number }) => [s.id, s.asn]),
        [[id, 7922]],
      );
      const table = await tollgate('list', '--asn', '4200000000');
      assert.equal(table.length, 2);
      assert.match(table[1] ?? '', /203\.0\.113\.30:8000\s+US\s+25\s+4200000000\s+direct:/);
      await fails(
        ['set-asn', String(id), '65535'],
        // The ASN is set-asn's argument: the message names it so, not as an option.
        (err) => err instanceof InvalidArgumentError && /<asn> an AS number/.test(err.message) && !/--asn/.test(err.message),
      );
      await fails(['set-asn', String(id), 'AS7922'], (err) => /an AS number/.test(String((err as Error).message)));
      await fails(
        ['add', '--ip', '203.0.113.32', '--port', '8000', '--country', 'US', '--type', '25', '--asn', '4294967295'],
        (err) => err instanceof InvalidArgumentError && /--asn/.test(err.message),
      );
      const [after] = await tollgate('list', '--json');
      assert.deepEqual(
        JSON.parse(after ?? '[]').map((s: { asn: number }) => s.asn),
        [4_200_000_000, 7922],
      );
    });

    it('assigns to a user by email, shows the holder, releases, maintenance, removes', async () => {
      for (const port of ['8001', '8002', '8003']) {
        await tollgate('add', '--ip', '203.0.113.20', '--port', port, '--country', 'GB', '--type', '25');
      }
      const u = await createUser(tp, { email: 'static-buyer@example.com' });
      const assigned = await tollgate(
        'assign',
        '--email',
        'Static-Buyer@example.com',
        '--country',
        'gb',
        '--type',
        '25',
        '--count',
        '2',
        '--days',
        '30',
        '--trade-no',
        'T-9',
      );
      assert.equal(assigned.length, 2);
      const expires = new Date(T0 + 30 * DAY).toISOString().replace('.000', '');
      for (const line of assigned) {
        assert.match(
          line,
          new RegExp(
            `^allocation \\d+: static IP \\d+ 203\\.0\\.113\\.20:800[12] \\(GB, type 25\\) for user ${u.id} until ${expires}$`,
          ),
        );
      }
      const [json] = await tollgate('list', '--json');
      const inventory = JSON.parse(json ?? '[]');
      assert.deepEqual(
        inventory.map((s: any) => s.allocation && [s.allocation.user_id, s.allocation.trade_no]),
        [[u.id, 'T-9'], [u.id, 'T-9'], null],
      );
      const table = await tollgate('list');
      assert.match(table[1] ?? '', new RegExp(`\\s${u.id}\\s+\\d+\\s+${expires}$`));

      await fails(
        ['assign', '--email', u.email, '--country', 'GB', '--type', '25', '--count', '2', '--days', '30'],
        (err) => err instanceof AppError && err.key === 'TG_ERR_STATIC_IP_UNAVAILABLE' && /GB:2/.test(err.message),
      );
      await fails(
        ['assign', '--email', 'nobody@example.com', '--country', 'GB', '--type', '25', '--count', '1', '--days', '1'],
        (err) => err instanceof AppError && err.key === 'TG_ERR_USER_NOT_FOUND',
      );
      const [json2] = await tollgate('list', '--json');
      assert.equal(JSON.parse(json2 ?? '[]')[2].allocation, null);

      const allocationId = inventory[0].allocation.id as number;
      const ipId = inventory[0].id as number;
      await fails(['remove', String(ipId)], (err) => err instanceof AppError && err.key === 'TG_ERR_STATIC_IP_ALLOCATED');
      const [renewed] = await tollgate('renew', String(allocationId), '--days', '5');
      assert.match(renewed ?? '', new RegExp(`^renewed allocation ${allocationId}: `));
      await fails(
        ['renew', '999999', '--days', '5'],
        (err) => err instanceof AppError && err.key === 'TG_ERR_STATIC_IP_NO_ALLOCATION',
      );
      clock = T0 + 60_000;
      const [released] = await tollgate('release', String(allocationId));
      assert.match(
        released ?? '',
        new RegExp(`^released allocation ${allocationId}: .* until ${new Date(T0 + 60_000).toISOString().replace('.000', '')}$`),
      );
      await fails(
        ['release', String(allocationId)],
        (err) => err instanceof AppError && err.key === 'TG_ERR_STATIC_IP_NO_ALLOCATION',
      );

      const [on] = await tollgate('maintenance', String(ipId), 'on');
      assert.match(on ?? '', /^maintenance on: static IP \d+ .*, in maintenance\)$/);
      const [off] = await tollgate('maintenance', String(ipId), 'off', '--json');
      assert.equal(JSON.parse(off ?? '{}').maintenance, false);
      await fails(['maintenance', String(ipId), 'maybe'], (err) => /on or off/.test(String((err as Error).message)));

      assert.deepEqual(await tollgate('remove', String(ipId)), [`removed static IP ${ipId}`]);
      await fails(['remove', String(ipId)], (err) => err instanceof AppError && err.key === 'TG_ERR_STATIC_IP_NOT_FOUND');
      assert.equal(JSON.parse((await tollgate('list', '--json'))[0] ?? '[]').length, 2);
    });

    it('says so when the inventory is empty', async () => {
      assert.deepEqual(await tollgate('list'), ['no static IPs']);
      assert.deepEqual(await tollgate('list', '--json'), ['[]']);
    });
  });
}

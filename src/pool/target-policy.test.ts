import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ipaddr from 'ipaddr.js';
import { ipv4Int, ipv4Range, TargetPolicy } from './target-policy.js';

const strict = new TargetPolicy({ allowPrivateTargets: false, blockedPorts: [25], localAddresses: ['192.0.2.10'] });
const lax = new TargetPolicy({ allowPrivateTargets: true, blockedPorts: [25, 465], localAddresses: ['192.0.2.10'] });

/** Addresses refused by default, with the words the reason must carry. */
const REFUSED: ReadonlyArray<[string, RegExp]> = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['10.0.0.1', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['169.254.169.254', /link-local/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.255', /carrier-grade NAT/],
  ['192.0.0.8', /reserved/],
  ['192.0.2.1', /reserved/], // TEST-NET-1
  ['198.51.100.1', /reserved/], // TEST-NET-2
  ['203.0.113.1', /reserved/], // TEST-NET-3
  ['198.18.0.1', /reserved/],
  ['198.19.255.255', /reserved/],
  ['240.0.0.1', /reserved/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['::1', /loopback/],
  ['::', /unspecified/],
  ['::ffff:127.0.0.1', /loopback/],
  ['::ffff:7f00:1', /loopback/],
  ['::ffff:10.1.2.3', /private/],
  ['::ffff:169.254.169.254', /link-local/],
  ['::127.0.0.1', /IPv4-compatible/],
  ['::7f00:1', /IPv4-compatible/],
  ['::8.8.8.8', /IPv4-compatible/],
  ['0:0:0:0:0:ffff:10.0.0.1', /private/],
  ['fc00::1', /unique local/],
  ['fd12:3456::1', /unique local/],
  ['fe80::1', /link-local/],
  ['fe80::1%lo', /link-local/],
  ['ff02::1', /multicast/],
  ['2001:db8::1', /reserved/],
  ['64:ff9b::7f00:1', /rfc6052/], // NAT64 of 127.0.0.1
  ['2002:7f00:1::1', /6to4/],
  ['2001:0:4136:e378::1', /teredo/],
  ['100::1', /discard/],
];

const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.215.14',
  '100.63.255.255',
  '100.128.0.0',
  '172.32.0.1',
  '2606:4700:4700::1111',
  '::ffff:1.1.1.1',
];

describe('target policy', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast and reserved addresses by default, naming the range', () => {
    for (const [ip, reason] of REFUSED) {
      const refusal = strict.check(ip, 443);
      assert.ok(refusal, `${ip} should be refused`);
      assert.match(refusal, reason, ip);
      assert.equal(lax.check(ip, 443), undefined, `${ip} is allowed when private targets are`);
    }
  });

  it('allows public unicast addresses', () => {
    for (const ip of PUBLIC) assert.equal(strict.check(ip, 443), undefined, ip);
  });

  it('refuses blocked ports and impossible ports whatever the address', () => {
    assert.match(strict.check('1.1.1.1', 25) ?? '', /port 25 is blocked/);
    assert.match(lax.check('127.0.0.1', 465) ?? '', /port 465 is blocked/);
    assert.match(lax.check('1.1.1.1', 0) ?? '', /not 1-65535/);
    assert.match(lax.check('1.1.1.1', 65536) ?? '', /not 1-65535/);
    assert.equal(strict.checkPort(587), undefined);
  });

  it('refuses what is not an IP address', () => {
    assert.match(strict.check('example.com', 443) ?? '', /not an IP address/);
  });

  it("refuses the gateway's own listeners on local addresses even when private targets are allowed", () => {
    const policy = new TargetPolicy({
      allowPrivateTargets: true,
      blockedPorts: [],
      own: [{ host: '0.0.0.0', port: 7777 }],
      localAddresses: ['192.0.2.10', '127.0.0.1'],
    });
    policy.protect({ host: '10.9.9.9', port: 8080 });
    for (const ip of ['127.0.0.1', '127.0.0.2', '0.0.0.0', '::1', '::ffff:127.0.0.1', '192.0.2.10', '::']) {
      assert.match(policy.check(ip, 7777) ?? '', /this gateway/, ip);
    }
    // Another host's port 7777 is no loop.
    assert.equal(policy.check('192.0.2.11', 7777), undefined);
    // A listener on one address: that address and loopback.
    assert.match(policy.check('10.9.9.9', 8080) ?? '', /this gateway/);
    assert.match(policy.check('127.0.0.1', 8080) ?? '', /this gateway/);
    assert.equal(policy.check('10.9.9.8', 8080), undefined);
    assert.equal(policy.check('127.0.0.1', 8081), undefined);
  });

  it('checks only the port of a name (an upstream resolves it), and IP literals in full', () => {
    assert.equal(strict.checkTarget('localhost', 443), undefined);
    assert.match(strict.checkTarget('localhost', 25) ?? '', /blocked/);
    assert.match(strict.checkTarget('127.0.0.1', 443) ?? '', /loopback/);
    assert.match(strict.checkTarget('::1', 443) ?? '', /loopback/);
  });

  it('is unrestricted for probes', () => {
    const open = TargetPolicy.unrestricted();
    assert.equal(open.check('127.0.0.1', 25), undefined);
    assert.equal(open.check('10.0.0.1', 7777), undefined);
  });
});

describe('IPv4 fast path (ipv4Int, ipv4Range)', () => {
  it('classifies dotted quads exactly as ipaddr.js does', () => {
    const samples = ['0.0.0.0', '255.255.255.255', '240.0.0.1', '198.19.255.255', '198.20.0.0', '100.128.0.0', '192.31.196.1'];
    for (let i = 0; i < 20_000; i++) samples.push(Array.from({ length: 4 }, () => Math.floor(Math.random() * 256)).join('.'));
    for (const ip of samples) assert.equal(ipv4Range(ipv4Int(ip)!), ipaddr.parse(ip).range(), ip);
  });

  it('takes only canonical dotted quads', () => {
    assert.equal(ipv4Int('1.2.3.4'), 0x01020304);
    for (const text of ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '', '1.2.3.4 ', '::1', '1.2.3.0004', '1.2.3.']) {
      assert.equal(ipv4Int(text), undefined, text);
    }
  });
});

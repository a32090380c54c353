import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayNodeUrl, formatNodeUrl, type NodeEndpoint, nodeKindOf, parseNodeUrl } from './node-url.js';

const VALID: ReadonlyArray<[string, NodeEndpoint, string]> = [
  // input, endpoint, canonical form
  ['direct://', { kind: 'direct' }, 'direct://'],
  ['direct:///', { kind: 'direct' }, 'direct://'],
  ['DIRECT://', { kind: 'direct' }, 'direct://'],
  ['  direct://  ', { kind: 'direct' }, 'direct://'],
  ['direct://127.0.0.2', { kind: 'direct', localAddress: '127.0.0.2' }, 'direct://127.0.0.2'],
  ['direct://203.0.113.7', { kind: 'direct', localAddress: '203.0.113.7' }, 'direct://203.0.113.7'],
  ['direct://[::1]', { kind: 'direct', localAddress: '::1' }, 'direct://[::1]'],
  ['direct://[2001:DB8:0:0::5]', { kind: 'direct', localAddress: '2001:db8::5' }, 'direct://[2001:db8::5]'],
  ['http://proxy.example.com:3128', { kind: 'http', host: 'proxy.example.com', port: 3128 }, 'http://proxy.example.com:3128'],
  ['http://Proxy.Example.COM.:80', { kind: 'http', host: 'proxy.example.com', port: 80 }, 'http://proxy.example.com:80'],
  ['http://10.0.0.1:8080/', { kind: 'http', host: '10.0.0.1', port: 8080 }, 'http://10.0.0.1:8080'],
  ['http://[::1]:8080', { kind: 'http', host: '::1', port: 8080 }, 'http://[::1]:8080'],
  [
    'http://alice:s3cret@proxy:3128',
    { kind: 'http', host: 'proxy', port: 3128, username: 'alice', password: 's3cret' },
    'http://alice:s3cret@proxy:3128',
  ],
  ['http://alice@proxy:3128', { kind: 'http', host: 'proxy', port: 3128, username: 'alice' }, 'http://alice@proxy:3128'],
  [
    'http://alice:p%40ss%3Aw%2Fd@proxy:3128',
    { kind: 'http', host: 'proxy', port: 3128, username: 'alice', password: 'p@ss:w/d' },
    'http://alice:p%40ss%3Aw%2Fd@proxy:3128',
  ],
  // A raw "@" in the password: the host starts after the last "@".
  [
    'http://alice:p@ss@proxy:3128',
    { kind: 'http', host: 'proxy', port: 3128, username: 'alice', password: 'p@ss' },
    'http://alice:p%40ss@proxy:3128',
  ],
  [
    'http://alice:a:b@proxy:1',
    { kind: 'http', host: 'proxy', port: 1, username: 'alice', password: 'a:b' },
    'http://alice:a%3Ab@proxy:1',
  ],
  ['socks5://198.51.100.9:1080', { kind: 'socks5', host: '198.51.100.9', port: 1080 }, 'socks5://198.51.100.9:1080'],
  [
    'SOCKS5://bob:pw@socks.example:65535',
    { kind: 'socks5', host: 'socks.example', port: 65535, username: 'bob', password: 'pw' },
    'socks5://bob:pw@socks.example:65535',
  ],
];

const INVALID: ReadonlyArray<[string, RegExp]> = [
  ['', /required/],
  ['   ', /required/],
  ['proxy:3128', /expected direct/],
  ['127.0.0.1', /expected direct/],
  ['ftp://host:21', /unknown scheme "ftp"/],
  ['socks4://host:1080', /unknown scheme/],
  ['https://host:443', /unknown scheme/],
  ['direct://eth0', /local IP address/],
  ['direct://localhost', /local IP address/],
  ['direct://0.0.0.0', /unspecified/],
  ['direct://[::]', /unspecified/],
  ['direct://224.0.0.1', /not a unicast/],
  ['direct://255.255.255.255', /not a unicast/],
  ['direct://127.0.0.2:80', /no port/],
  ['direct://user@127.0.0.2', /no credentials/],
  ['direct://::1', /brackets/],
  ['direct://127.0.0.2/path', /path/],
  ['http://host', /port is required/],
  ['http://host:', /port must be/],
  ['http://host:0', /port must be/],
  ['http://host:65536', /port must be/],
  ['http://host:80a', /port must be/],
  ['http://:3128', /host is required/],
  ['http://host:3128/path', /path/],
  ['http://host:3128?x=1', /path, query/],
  ['http://host:3128#frag', /fragment/],
  ['http://ho st:3128', /not a host name/],
  ['http://999.1.1.1:3128', /not a host name/],
  ['http://127.1:3128', /not a host name/],
  ['http://[not-v6]:3128', /not a host name/],
  ['http://[::1:3128', /unterminated/],
  ['http://[::1]x:3128', /after \]/],
  ['http://::1:3128', /brackets/],
  ['http://:pw@host:1', /user name is empty/],
  ['http://a%3Ab:pw@host:1', /must not contain ":"/],
  ['http://al%ZZ:pw@host:1', /%-escape/],
  ['http://al ice:pw@host:1', /percent-encoded/],
  ['http://alice:p%0Aw@host:1', /control characters/],
  [`http://${'u'.repeat(256)}:pw@host:1`, /at most 255 bytes/],
  ['socks5://bob@host:1080', /user name and a password/],
  ['socks5://bob:@host:1080', /user name and a password/],
  [`http://h:1/${'x'.repeat(600)}`, /at most 512/],
];

describe('node URLs', () => {
  it('parses every accepted form to its endpoint and canonical URL', () => {
    for (const [input, endpoint, canonical] of VALID) {
      const parsed = parseNodeUrl(input);
      assert.ok(parsed.ok, `${input}: ${parsed.ok ? '' : parsed.problem}`);
      assert.deepEqual(parsed.endpoint, endpoint, input);
      assert.equal(formatNodeUrl(parsed.endpoint), canonical, input);
      // The canonical form parses back to the same endpoint.
      const again = parseNodeUrl(canonical);
      assert.ok(again.ok);
      assert.deepEqual(again.endpoint, endpoint, canonical);
    }
  });

  it('refuses malformed and hostile URLs with a reason', () => {
    for (const [input, reason] of INVALID) {
      const parsed = parseNodeUrl(input);
      assert.equal(parsed.ok, false, `${input} should be refused`);
      assert.match(parsed.ok ? '' : parsed.problem, reason, input);
    }
  });

  it('tolerates underscores in host names, as resolvers do', () => {
    assert.ok(parseNodeUrl('http://my_proxy.internal:3128').ok);
  });

  it('masks the password for display, and only the password', () => {
    assert.equal(displayNodeUrl('http://alice:s3cret@proxy:3128'), 'http://alice:***@proxy:3128');
    assert.equal(displayNodeUrl('socks5://bob:p%40ss@[::1]:1080'), 'socks5://bob:***@[::1]:1080');
    assert.equal(displayNodeUrl('http://alice@proxy:3128'), 'http://alice@proxy:3128');
    assert.equal(displayNodeUrl('direct://127.0.0.2'), 'direct://127.0.0.2');
    assert.equal(displayNodeUrl('http://alice:s3cret@'), '(invalid)');
    for (const url of ['http://alice:s3cret@proxy:3128', 'socks5://bob:s3cret@h:1']) {
      assert.doesNotMatch(displayNodeUrl(url), /s3cret/);
    }
  });

  it('names the kind of a URL, display URLs included', () => {
    assert.equal(nodeKindOf('direct://'), 'direct');
    assert.equal(nodeKindOf('http://alice:***@proxy:3128'), 'http');
    assert.equal(nodeKindOf('SOCKS5://h:1'), 'socks5');
    assert.equal(nodeKindOf('ftp://h:1'), undefined);
  });
});

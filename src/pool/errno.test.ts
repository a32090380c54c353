import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors/index.js';
import { asExitFault, isExitErrno, isExitFault, socks5ReplyError, upstreamError } from './errno.js';

const errno = (code: string): Error => Object.assign(new Error(`connect ${code} 1.2.3.4:80`), { code });

describe('dial errors', () => {
  it('maps errno codes through one table', () => {
    const table: ReadonlyArray<[string, string]> = [
      ['ECONNREFUSED', 'TG_ERR_UPSTREAM_CONNECT_REFUSED'],
      ['ETIMEDOUT', 'TG_ERR_UPSTREAM_TIMEOUT'],
      ['ENOTFOUND', 'TG_ERR_UPSTREAM_DNS_FAILED'],
      ['EAI_AGAIN', 'TG_ERR_UPSTREAM_DNS_FAILED'],
      ['EHOSTUNREACH', 'TG_ERR_UPSTREAM_UNREACHABLE'],
      ['ENETUNREACH', 'TG_ERR_UPSTREAM_UNREACHABLE'],
      ['ECONNRESET', 'TG_ERR_UPSTREAM_FAILED'],
      ['EPIPE', 'TG_ERR_UPSTREAM_FAILED'],
    ];
    for (const [code, key] of table) assert.equal(upstreamError(errno(code)).key, key, code);
    assert.equal(upstreamError(errno('ECONNRESET')).message, 'The exit failed: ECONNRESET');
    // Never read from the message: a code-less error is a plain failure.
    assert.equal(upstreamError(new Error('connect ECONNREFUSED')).key, 'TG_ERR_UPSTREAM_FAILED');
    const own = new AppError('TG_ERR_PROXY_TARGET_BLOCKED', { params: { reason: 'x' } });
    assert.equal(upstreamError(own), own);
  });

  it('maps SOCKS5 reply codes (RFC 1928 §6)', () => {
    assert.equal(socks5ReplyError(0x05).key, 'TG_ERR_UPSTREAM_CONNECT_REFUSED');
    assert.equal(socks5ReplyError(0x04).key, 'TG_ERR_UPSTREAM_UNREACHABLE');
    assert.equal(socks5ReplyError(0x03).key, 'TG_ERR_UPSTREAM_UNREACHABLE');
    assert.equal(socks5ReplyError(0x06).key, 'TG_ERR_UPSTREAM_TIMEOUT');
    assert.equal(socks5ReplyError(0x02).message, 'The exit failed: SOCKS5 upstream replied 0x02');
  });

  it('marks exit faults on the error itself', () => {
    const err = new AppError('TG_ERR_UPSTREAM_TIMEOUT');
    assert.equal(isExitFault(err), false);
    assert.equal(asExitFault(err), err);
    assert.equal(isExitFault(err), true);
    assert.equal(isExitFault(new AppError('TG_ERR_UPSTREAM_TIMEOUT')), false);
    assert.equal(isExitErrno(errno('EADDRNOTAVAIL')), true);
    assert.equal(isExitErrno(errno('ECONNREFUSED')), false);
  });
});

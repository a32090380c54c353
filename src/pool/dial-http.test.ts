import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectRequest, parseStatusLine, responseHeadLength } from './dial-http.js';

describe('HTTP CONNECT (RFC 9110 §9.3.6)', () => {
  it('writes an authority-form request, IPv6 in brackets, Basic credentials when given', () => {
    assert.equal(
      connectRequest({ host: 'example.com', port: 443 }),
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    );
    assert.equal(
      connectRequest({ host: '2001:db8::1', port: 80 }),
      'CONNECT [2001:db8::1]:80 HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n',
    );
    assert.match(
      connectRequest({ host: 'a', port: 1 }, 'alice', 'p@ss:w'),
      /\r\nProxy-Authorization: Basic YWxpY2U6cEBzczp3\r\n\r\n$/,
    );
    assert.match(connectRequest({ host: 'a', port: 1 }, 'alice'), /Proxy-Authorization: Basic YWxpY2U6\r\n/);
  });

  it('finds the end of a response head, CRLF or bare LF, and not before it', () => {
    const table: ReadonlyArray<[string, number | undefined]> = [
      ['HTTP/1.1 200 OK\r\n\r\n', 19],
      ['HTTP/1.1 200 OK\r\n\r\nEXTRA', 19],
      ['HTTP/1.1 200 OK\r\nVia: x\r\n\r\nEXTRA', 27],
      ['HTTP/1.0 200 OK\n\nEXTRA', 17],
      ['HTTP/1.1 200 OK\r\n', undefined],
      ['HTTP/1.1 200 OK\r\n\r', undefined],
      ['HTTP/1.1 200', undefined],
      ['', undefined],
    ];
    for (const [text, length] of table) assert.equal(responseHeadLength(Buffer.from(text)), length, JSON.stringify(text));
  });

  it('reads the status of HTTP/1.x status lines only', () => {
    const table: ReadonlyArray<[string, number | undefined]> = [
      ['HTTP/1.1 200 Connection established\r\n\r\n', 200],
      ['HTTP/1.0 200\r\n\r\n', 200],
      ['HTTP/1.1 204 No Content\r\n', 204],
      ['HTTP/1.1 407 Proxy Authentication Required\r\n', 407],
      ['HTTP/1.1 502 Bad Gateway\r\n', 502],
      ['HTTP/2 200\r\n', undefined],
      ['HTTP/1.1 2000 OK\r\n', undefined],
      ['HTTP/1.1 600 Odd\r\n', undefined],
      ['SSH-2.0-OpenSSH\r\n', undefined],
      [' HTTP/1.1 200 OK\r\n', undefined],
    ];
    for (const [head, status] of table) assert.equal(parseStatusLine(head), status, JSON.stringify(head));
  });
});

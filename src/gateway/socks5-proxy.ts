/**
 * SOCKS5 (RFC 1928) with username/password authentication (RFC 1929), CONNECT
 * only; names are resolved at the exit (socks5h semantics). Ours rather than a
 * library's: the handshake is three small messages and the relay must count.
 */
import type { Socket } from 'node:net';
import { AppError, SOCKS } from '../errors/index.js';
import type { GatewayContext } from './context.js';
import { type Authorized, authorize, openExit } from './handshake.js';
import {
  authReply,
  CMD_CONNECT,
  greetingReply,
  METHOD_NO_AUTH,
  METHOD_NONE_ACCEPTABLE,
  METHOD_USER_PASS,
  parseGreeting,
  parseRequest,
  parseUserPassAuth,
  reply,
} from './parsers/socks5.js';
import type { ProxyConnection } from './registry.js';
import { asRefusal, endWith, socksReplyCode } from './refusal.js';
import { relay } from './relay.js';

/** A whole handshake fits in far less; more before the relay starts is an abuse. */
const MAX_HANDSHAKE_BYTES = 1024;

type Stage = 'greeting' | 'auth' | 'request' | 'busy';

/** Errors from authentication that are refused at the request stage with their own reply code, not as a failed login. */
const REFUSED_AFTER_LOGIN = new Set([
  'TG_ERR_PROXY_ACCOUNT_DISABLED',
  'TG_ERR_QUOTA_ACCOUNT_LIMIT',
  'TG_ERR_QUOTA_NO_PACKAGE',
  'TG_ERR_PROXY_LEASE_INVALID',
]);

export function handleSocks5(ctx: GatewayContext, conn: ProxyConnection, socket: Socket, first: Buffer): void {
  conn.protocol = 'socks5';
  let buffer = first;
  let stage: Stage = 'greeting';
  let authorized: Authorized | undefined;
  let refusal: AppError | undefined;

  const fail = (err: unknown, code?: number) => {
    const known = asRefusal(err);
    if (!(err instanceof AppError)) ctx.logger.error({ err }, 'socks5 handshake failed');
    ctx.metrics.connection('socks5', known.key.startsWith('TG_ERR_UPSTREAM') ? 'failed' : 'refused');
    stage = 'busy';
    socket.off('data', onData);
    endWith(socket, reply(code ?? socksReplyCode(known)));
  };

  const step = (): void => {
    for (;;) {
      if (stage === 'greeting') {
        const r = parseGreeting(buffer);
        if ('need' in r) return;
        if ('error' in r) return void socket.destroy();
        buffer = buffer.subarray(r.consumed);
        // An entry may let some clients in without credentials (an extraction port, its lessee's whitelisted
        // address): RFC 1928 §3 method 0x00, then straight to the request, refused there if authorization fails.
        const anonymous = ctx.handshake.rules?.allowsAnonymous(socket, conn.remoteAddress) === true;
        if (anonymous && r.methods.includes(METHOD_NO_AUTH)) {
          socket.write(greetingReply(METHOD_NO_AUTH));
          stage = 'busy';
          authorize(ctx.handshake, conn.remoteAddress, undefined, socket).then(
            (ok) => {
              // Filing may refuse (no connection slot free): said at the request stage, like other refusals.
              refusal = admit(ok);
              stage = 'request';
              step();
            },
            (err) => {
              refusal = asRefusal(err);
              stage = 'request';
              step();
            },
          );
          return;
        }
        if (!r.methods.includes(METHOD_USER_PASS)) {
          ctx.metrics.connection('socks5', 'refused');
          stage = 'busy';
          endWith(socket, greetingReply(METHOD_NONE_ACCEPTABLE));
          return;
        }
        socket.write(greetingReply(METHOD_USER_PASS));
        stage = 'auth';
      } else if (stage === 'auth') {
        const r = parseUserPassAuth(buffer);
        if ('need' in r) return;
        // RFC 1929 §2: a failure status, then close.
        if ('error' in r) {
          stage = 'busy';
          return void endWith(socket, authReply(false));
        }
        buffer = buffer.subarray(r.consumed);
        stage = 'busy';
        authorize(ctx.handshake, conn.remoteAddress, { username: r.username, password: r.password }, socket).then(
          (ok) => {
            // The password was right: a refusal to file the connection (no slot free) is said at the request stage.
            refusal = admit(ok);
            socket.write(authReply(true));
            stage = 'request';
            step();
          },
          (err) => {
            if (err instanceof AppError && REFUSED_AFTER_LOGIN.has(err.key)) {
              // The password was right: say why at the request stage, with the matching reply code.
              refusal = err;
              socket.write(authReply(true));
              stage = 'request';
              return step();
            }
            if (err instanceof AppError && err.key === 'TG_ERR_PROXY_AUTH_FAILED') ctx.metrics.authFailure();
            ctx.metrics.connection('socks5', 'refused');
            stage = 'busy';
            socket.off('data', onData);
            endWith(socket, authReply(false));
          },
        );
        return;
      } else if (stage === 'request') {
        const r = parseRequest(buffer);
        if ('need' in r) return;
        if ('error' in r) return fail(new AppError(r.error, { params: { reason: r.reason } }), r.reply ?? SOCKS.GENERAL_FAILURE);
        if (r.port === 0) return fail(new AppError('TG_ERR_PROXY_BAD_REQUEST', { params: { reason: 'port 0' } }));
        if (refusal) return fail(refusal);
        if (r.command !== CMD_CONNECT) {
          return fail(new AppError('TG_ERR_PROXY_COMMAND_UNSUPPORTED', { params: { reason: `SOCKS command ${r.command}` } }));
        }
        const early = buffer.subarray(r.consumed);
        buffer = Buffer.alloc(0);
        stage = 'busy';
        socket.off('data', onData);
        socket.pause();
        connect(r.host, r.port, early);
        return;
      } else return;
    }
  };

  /** Files the connection under the authorized account; the refusal when it cannot be (no connection slot free). */
  const admit = (ok: Authorized): AppError | undefined => {
    try {
      ctx.registry.attach(conn, ok.account);
      authorized = ok;
      return undefined;
    } catch (err) {
      return asRefusal(err);
    }
  };

  const connect = (host: string, port: number, early: Buffer) => {
    openExit(ctx.handshake, authorized!, { host, port }, socket).then(
      (exit) => {
        if (conn.closed) return void exit.socket.destroy();
        conn.upstream = exit.socket;
        conn.exitNodeId = exit.nodeId;
        ctx.handshakeDone(conn);
        socket.write(reply(0));
        ctx.metrics.connection('socks5', 'relayed');
        relay(conn, socket, exit.socket, early);
        socket.resume();
      },
      (err) => fail(err),
    );
  };

  const onData = (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    if (buffer.length > MAX_HANDSHAKE_BYTES) return void socket.destroy();
    if (stage !== 'busy') step();
  };

  socket.on('data', onData);
  socket.resume();
  step();
}

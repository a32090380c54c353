/**
 * SOCKS5 (RFC 1928) with username/password authentication (RFC 1929): CONNECT, and UDP ASSOCIATE for accounts
 * with `udp: 1` (udp-association.ts); names are resolved at the exit (socks5h semantics). Ours rather than a
 * library's: the handshake is three small messages and the relay must count.
 */
import type { Socket } from 'node:net';
import { AppError, SOCKS } from '../errors/index.js';
import type { GatewayContext } from './context.js';
import { type Authorized, authorize, openExit } from './handshake.js';
import {
  authReply,
  CMD_CONNECT,
  CMD_UDP_ASSOCIATE,
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
import { associateUdp } from './udp-association.js';

/** A whole handshake fits in far less; more before the relay starts is an abuse. */
const MAX_HANDSHAKE_BYTES = 1024;

type Stage = 'greeting' | 'auth' | 'request' | 'busy';

/** Errors from authentication that are refused at the request stage with their own reply code, not as a failed login. */
const REFUSED_AFTER_LOGIN = new Set([
  'TG_ERR_PROXY_ACCOUNT_DISABLED',
  'TG_ERR_QUOTA_ACCOUNT_LIMIT',
  'TG_ERR_QUOTA_DAILY_LIMIT',
  'TG_ERR_QUOTA_NO_PACKAGE',
  'TG_ERR_PROXY_LEASE_INVALID',
]);

/**
 * Speaks SOCKS5 on `socket`, whose first chunk is `first`. With `refuseWith` (the gateway is at a cap), the
 * client is led to the request stage without any credential check and refused there with that error's reply
 * code (RFC 1928 §6), the one place where SOCKS5 can say why.
 */
export function handleSocks5(
  ctx: GatewayContext,
  conn: ProxyConnection,
  socket: Socket,
  first: Buffer,
  refuseWith?: AppError,
): void {
  conn.protocol = 'socks5';
  let buffer = first;
  let stage: Stage = 'greeting';
  let authorized: Authorized | undefined;
  let refusal: AppError | undefined;

  /** Files the connection under its account; a refusal at a cap is answered at the request stage. */
  const attach = async (ok: Authorized): Promise<void> => {
    try {
      await ctx.attach(conn, ok.account);
      authorized = ok;
    } catch (err) {
      refusal = asRefusal(err);
    }
  };

  const fail = (err: unknown, code?: number) => {
    const known = asRefusal(err);
    if (!(err instanceof AppError)) ctx.logger.error({ err }, 'socks5 handshake failed');
    ctx.metrics.connection('socks5', known.key.startsWith('TG_ERR_UPSTREAM') ? 'failed' : 'refused');
    stage = 'busy';
    socket.off('data', onData);
    endWith(socket, reply(code ?? socksReplyCode(known)));
  };

  /**
   * Answers the greeting: no authentication for a client the entry lets in without it (then straight to its
   * request), else username/password. True when the handshake goes on to the authentication stage.
   */
  const chooseMethod = (methods: readonly number[], anonymous: boolean): boolean => {
    if (anonymous && methods.includes(METHOD_NO_AUTH)) {
      socket.write(greetingReply(METHOD_NO_AUTH));
      stage = 'busy';
      authorize(ctx.handshake, conn.remoteAddress, undefined, socket).then(
        async (ok) => {
          await attach(ok);
          stage = 'request';
          step();
        },
        (err) => {
          refusal = asRefusal(err);
          stage = 'request';
          step();
        },
      );
      return false;
    }
    if (!methods.includes(METHOD_USER_PASS)) {
      ctx.metrics.connection('socks5', 'refused');
      stage = 'busy';
      endWith(socket, greetingReply(METHOD_NONE_ACCEPTABLE));
      return false;
    }
    socket.write(greetingReply(METHOD_USER_PASS));
    stage = 'auth';
    return true;
  };

  const step = (): void => {
    for (;;) {
      if (stage === 'greeting') {
        const r = parseGreeting(buffer);
        if ('need' in r) return;
        if ('error' in r) return void socket.destroy();
        buffer = buffer.subarray(r.consumed);
        if (refuseWith) {
          refusal = refuseWith;
          const method = [METHOD_NO_AUTH, METHOD_USER_PASS].find((m) => r.methods.includes(m));
          if (method === undefined) {
            ctx.metrics.connection('socks5', 'refused');
            stage = 'busy';
            return void endWith(socket, greetingReply(METHOD_NONE_ACCEPTABLE));
          }
          socket.write(greetingReply(method));
          stage = method === METHOD_NO_AUTH ? 'request' : 'auth';
          continue;
        }
        // An entry may let some clients in without credentials (an extraction port, its lessee's whitelisted
        // address): RFC 1928 §3 method 0x00, then straight to the request, refused there if authorization fails.
        // The entry may need the database first (a lease another process just made): wait, then choose.
        const allows = r.methods.includes(METHOD_NO_AUTH)
          ? ctx.handshake.rules?.allowsAnonymous(socket, conn.remoteAddress)
          : false;
        if (allows instanceof Promise) {
          stage = 'busy';
          allows.then(
            (anonymous) => {
              if (conn.closed) return;
              if (chooseMethod(r.methods, anonymous)) step();
            },
            (err: unknown) => fail(err),
          );
          return;
        }
        if (!chooseMethod(r.methods, allows === true)) return;
      } else if (stage === 'auth') {
        const r = parseUserPassAuth(buffer);
        if ('need' in r) return;
        // RFC 1929 §2: a failure status, then close.
        if ('error' in r) {
          stage = 'busy';
          return void endWith(socket, authReply(false));
        }
        buffer = buffer.subarray(r.consumed);
        if (refuseWith) {
          socket.write(authReply(true));
          stage = 'request';
          continue;
        }
        stage = 'busy';
        authorize(ctx.handshake, conn.remoteAddress, { username: r.username, password: r.password }, socket).then(
          async (ok) => {
            await attach(ok);
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
        // UDP ASSOCIATE may name port 0: the client does not know its source port yet (RFC 1928 §4).
        if (r.port === 0 && r.command !== CMD_UDP_ASSOCIATE) {
          return fail(new AppError('TG_ERR_PROXY_BAD_REQUEST', { params: { reason: 'port 0' } }));
        }
        if (refusal) return fail(refusal);
        if (r.command === CMD_UDP_ASSOCIATE) {
          // DST.ADDR/DST.PORT name where the client will send from; zeros (the usual case) when it cannot know.
          stage = 'busy';
          socket.off('data', onData);
          socket.pause();
          associateUdp(ctx, conn, socket, authorized!, { host: r.host, port: r.port }).catch((err: unknown) => fail(err));
          return;
        }
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

/**
 * The two socket operations a dial needs: open a TCP connection, and read one
 * handshake message without consuming anything after it.
 */
import { connect, type Socket, type TcpNetConnectOpts } from 'node:net';
import { AppError } from '../errors/index.js';
import type { DialContext } from './dial-context.js';

/** Opens a TCP connection; rejects with the socket's error (its errno `code` intact). */
export function connectTcp(options: TcpNetConnectOpts, ctx: DialContext): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = ctx.track(connect(options));
    const done = (err?: Error): void => {
      socket.off('connect', onConnect).off('error', done).off('close', onClose);
      if (err) reject(err);
      else resolve(socket);
    };
    const onConnect = (): void => done();
    const onClose = (): void => done(new Error('socket closed before connecting'));
    socket.once('connect', onConnect).once('error', done).once('close', onClose);
  });
}

/**
 * Reads until `complete(buffered)` returns the length of a whole message, and resolves with that message.
 * Bytes after it are put back (`unshift`), and reading goes through 'readable' rather than 'data', so the
 * socket is left as if only the message had been read: the next consumer attaching 'data' or `pipe` gets
 * every later byte. `complete` may throw to reject.
 */
export function readMessage(
  socket: Socket,
  complete: (buffered: Buffer) => number | undefined,
  maxBytes: number,
  what: string,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || socket.readableEnded) {
      reject(closedEarly(what));
      return;
    }
    let buffered: Buffer = Buffer.alloc(0);
    const done = (err: Error | undefined, message?: Buffer): void => {
      socket.off('readable', onReadable).off('end', onEnd).off('close', onEnd).off('error', done);
      if (err) reject(err);
      else resolve(message ?? Buffer.alloc(0));
    };
    const onEnd = (): void => done(closedEarly(what));
    const onReadable = (): void => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
        let length: number | undefined;
        try {
          length = complete(buffered);
        } catch (err) {
          done(err as Error);
          return;
        }
        if (length !== undefined) {
          if (length < buffered.length) socket.unshift(buffered.subarray(length));
          done(undefined, buffered.subarray(0, length));
          return;
        }
        if (buffered.length > maxBytes) {
          done(new AppError('TG_ERR_UPSTREAM_FAILED', { params: { reason: `${what} longer than ${maxBytes} bytes` } }));
          return;
        }
      }
    };
    socket.on('readable', onReadable).once('end', onEnd).once('close', onEnd).once('error', done);
  });
}

function closedEarly(what: string): AppError {
  return new AppError('TG_ERR_UPSTREAM_FAILED', { params: { reason: `the exit closed the connection before the ${what}` } });
}

import pino, { type Logger } from 'pino';

/** JSON logs; human-readable when stdout is a terminal. Secrets never reach a log line (see api/server.ts redactUrl). */
export function createLogger(level: string, pretty = process.stdout.isTTY === true): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'app_key', 'password', '*.app_key', '*.password'], censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard', ignore: 'pid,hostname' } } }
      : {}),
  });
}

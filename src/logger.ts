import pino, { type DestinationStream, type Logger } from 'pino';
import { redactFields, redactText } from './log-redaction.js';

/**
 * JSON logs; human-readable when stdout is a terminal. Secrets never reach a log line: every record's fields
 * and message pass through log-redaction.ts (by pattern, at any depth), and the API logs request URLs with
 * their credential parameters redacted. Redaction runs only for lines actually written.
 */
export function createLogger(level: string, pretty = process.stdout.isTTY === true, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    formatters: { log: (record) => redactFields(record) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((a: unknown) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>;
        method.apply(this, redacted);
      },
    },
    ...(pretty && !destination
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard', ignore: 'pid,hostname' } } }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

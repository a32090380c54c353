/**
 * How a one-shot command reaches the platform: configuration from the environment, storage opened and
 * migrated, services wired; closed again when the command is done. Imported lazily, so a command that needs no
 * database (and `--help`) never loads it.
 */
import type { Platform } from '../main.js';

/** Opens the platform quietly for a one-shot command, runs `fn`, closes. */
export async function withPlatform<T>(fn: (platform: Platform) => Promise<T>): Promise<T> {
  const [{ configFromEnv, openPlatform }, { createLogger }] = await Promise.all([import('../main.js'), import('../logger.js')]);
  const platform = await openPlatform(configFromEnv(), { logger: createLogger('warn', false) });
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

/** One line on standard output. */
export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

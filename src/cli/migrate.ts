/** `tollgate migrate`: applies pending migrations (opening the platform does) and exits. */
import type { Command } from 'commander';
import { print, withPlatform } from './platform.js';

export function registerMigrateCommand(program: Command): Command {
  return program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      await withPlatform(async (p) => print(`database at ${p.storage.location} is up to date`));
    });
}

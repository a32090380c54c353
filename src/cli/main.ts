/**
 * The `tollgate` program (bin/tollgate runs its build, dist/cli/main.js). The commands are in commands.ts.
 */
import { InvalidArgumentError } from 'commander';
import { buildProgram } from './commands.js';
import { installSourceMappedStacks } from './source-mapped-stacks.js';

// Stack traces name src/ lines, the maps read only when a trace is written (see there).
installSourceMappedStacks();

/** Errors a user can act on print as one line; anything else with its stack. Matched by name, so that the
 * catalogue and the configuration module stay unloaded for `--help`. */
const ONE_LINE_ERRORS = new Set(['ConfigError', 'AppError']);

const argv = process.argv.slice(2);
try {
  const program = await buildProgram(argv);
  await program.parseAsync(argv, { from: 'user' });
} catch (err) {
  const oneLine = err instanceof InvalidArgumentError || (err instanceof Error && ONE_LINE_ERRORS.has(err.name));
  process.stderr.write(`tollgate: ${oneLine ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
}

#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so the CLI works right after `npm ci`.
import { spawn } from 'node:child_process';
import { register } from 'tsx/esm/api';

register();

// `serve` runs with glibc malloc tunables (see src/net/malloc-tuning.ts: upload throughput); glibc reads them at
// start-up only, so when they are missing the process runs itself again with them, passing signals and the exit on.
const { withMallocTunables } = await import('../src/net/malloc-tuning.ts');
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const env = command === 'serve' ? withMallocTunables(process.env) : undefined;
if (env) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  await import('../src/cli/main.ts');
}

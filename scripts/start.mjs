#!/usr/bin/env node
// `npm start [-- args]`: builds the browser client if its sources changed, then runs the server
// (TypeScript through tsx), passing signals through so SIGTERM still shuts it down cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const informational = args.some((arg) => ['--help', '-h', '--version'].includes(arg));

if (!informational) {
  const build = spawnSync(process.execPath, ['scripts/build-web.mjs', '--if-stale'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    console.error('building the browser client failed; see above');
    process.exit(build.status ?? 1);
  }
}

const server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));

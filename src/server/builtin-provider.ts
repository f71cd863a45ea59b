/**
 * Runs the built-in bot provider (src/bots/provider-main.ts) as a child process beside the
 * server when BOTS=on, handing it the provider key through its environment (never argv, which
 * other users of the machine can read) and restarting it with backoff if it dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = 'src/bots/provider-main.ts';

export function startBuiltinProvider(serverUrl: string, key: string, log: Logger): { stop(): Promise<void> } {
  if (!existsSync(`${ROOT}/${ENTRY}`)) {
    log.warn('built-in bot provider not found; running without bots');
    return { stop: async () => {} };
  }
  let child: ChildProcess | null = null;
  let stopping = false;
  let failures = 0;

  const launch = (): void => {
    const startedAt = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--server', serverUrl], {
      cwd: ROOT,
      env: { ...process.env, BOT_PROVIDER_KEY: key },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    log.info({ pid: child.pid }, 'built-in bot provider started');
    child.on('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      if (code === 3) {
        log.error('built-in bot provider: the server refused its key; not restarting');
        return;
      }
      failures = Date.now() - startedAt > 60_000 ? 1 : failures + 1;
      const delay = Math.min(30_000, 500 * 2 ** failures);
      log.error({ code, signal, restart_in_ms: delay }, 'built-in bot provider exited; restarting');
      setTimeout(() => !stopping && launch(), delay).unref();
    });
  };
  launch();

  return {
    async stop() {
      stopping = true;
      const running = child as ChildProcess | null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          running.kill('SIGKILL');
          resolve();
        }, 3000);
        running.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        running.kill('SIGTERM');
      });
    },
  };
}

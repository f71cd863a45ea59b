/**
 * Starting and stopping each server under test as its own process on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from './clients.ts';
import { procMemKiB } from './proc.ts';
import { freePort } from '../../test/helpers/server.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Limits of the voicebot server raised for load (defaults would rate-limit the generator). */
export const VOICEBOT_LOAD_ENV: Record<string, string> = {
  WS_RATE_BURST: '1000000',
  WS_RATE_REFILL_PER_SEC: '1000000',
  SESSION_CREATE_PER_MIN: '1000000',
  LOBBY_MAX_PARTICIPANTS: '64',
};

export interface RunningTarget {
  kind: ServerKind;
  port: number;
  pid: number;
  child: ChildProcess;
  dataDir: string | null;
  profilePath: string | null;
  logs(): string;
  /** Peak RSS (VmHWM) in KiB, read just before stopping. */
  peakRssKiB(): number;
  stop(): Promise<void>;
  /** Remove the data directory (after stop). */
  cleanup(): void;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) if (child.exitCode === null) child.kill('SIGKILL');
});

export interface StartOptions {
  /** Write a V8 CPU profile of the server to this file (directory must exist). */
  cpuProfile?: string;
  /** Extra node flags for the server process (e.g. --perf-basic-prof for `perf`). */
  nodeArgs?: string[];
}

export async function startTarget(kind: ServerKind, options: StartOptions = {}): Promise<RunningTarget> {
  const port = await freePort();
  const nodeArgs = ['--import', 'tsx', ...(options.nodeArgs ?? [])];
  // Every thread writes its own profile (tsx's loader runs in a worker): one directory per
  // server run, and the main thread's profile (the largest) is moved to `cpuProfile` on stop.
  const profileDir = options.cpuProfile ? `${options.cpuProfile}.d` : null;
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  let entry: string;
  let healthPath: string;
  let dataDir: string | null = null;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  switch (kind) {
    case 'bare':
      entry = 'bench/servers/bare.ts';
      healthPath = '/';
      break;
    case 'peerjs':
      entry = 'bench/servers/peerjs.ts';
      healthPath = '/';
      break;
    case 'voicebot':
      entry = 'src/server/main.ts';
      healthPath = '/api/system/health';
      dataDir = mkdtempSync(join(tmpdir(), 'voicebot-bench-'));
      Object.assign(env, {
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        BOTS: 'off',
        ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
        ...VOICEBOT_LOAD_ENV,
      });
      break;
  }
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 40_000) output = output.slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${kind} server exited with ${child.exitCode}:\n${output.slice(-3000)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}${healthPath}`);
      if (response.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} server did not start within 60 s:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    kind,
    port,
    pid: child.pid!,
    child,
    dataDir,
    profilePath: options.cpuProfile ?? null,
    logs: () => output,
    peakRssKiB: () => {
      try {
        return procMemKiB(child.pid!).hwm;
      } catch {
        return NaN;
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      live.delete(child);
      if (profileDir && existsSync(profileDir)) {
        const files = readdirSync(profileDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .map((f) => join(profileDir, f))
          .sort((a, b) => statSync(b).size - statSync(a).size);
        if (files[0]) renameSync(files[0], options.cpuProfile!);
        rmSync(profileDir, { recursive: true, force: true });
      }
    },
    cleanup() {
      if (dataDir && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Linux `perf` over the measured window (`npm run bench -- --perf`): the server runs with
 * `--perf-basic-prof` so JIT-compiled JavaScript has names, the generator records the server
 * for the window, and this file sorts the samples into kernel, V8, Node/libuv and JS by
 * origin, in µs per frame. Unlike V8's own profiler it sees where native time goes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const PERF_HZ = 1999;

export function perfAvailable(): boolean {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Record `pid` for `seconds` into `file`; resolves when perf has written it (bounded). */
export function perfRecord(pid: number, seconds: number, file: string): { done: Promise<void>; child: ChildProcess } {
  const child = spawn('perf', ['record', '-F', String(PERF_HZ), '-p', String(pid), '-o', file, '--', 'sleep', String(seconds)], {
    stdio: 'ignore',
  });
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('error', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { done, child };
}

function categoryOf(sym: string, dso: string): string {
  if (dso.includes('kernel')) return 'kernel';
  if (sym.startsWith('JS:')) {
    if (sym.includes('/src/server/')) return 'JS src/server';
    if (sym.includes('/src/protocol/')) return 'JS src/protocol';
    if (sym.includes('/zod/')) return 'JS zod';
    if (sym.includes('/ws/lib/')) return 'JS ws';
    if (sym.includes('/peer/')) return 'JS peer';
    if (sym.includes('/bench/')) return 'JS bench';
    if (sym.includes('node:')) return 'JS node internals';
    return 'JS other';
  }
  if (/Json(Parser|Stringifier)/.test(sym)) return 'V8 JSON';
  if (sym.startsWith('Builtins_') && /IC(_|Trampoline|$)/.test(sym)) return 'V8 inline caches';
  if (/HashMap|StringTable|Internalize|ComputeAndSetRawHash/.test(sym)) return 'V8 Map lookup / string hashing';
  if (/Scaveng|Marking|Sweep|Heap|GC|RecordWrite|Evacuat/.test(sym)) return 'V8 GC';
  if (sym.startsWith('Builtins_')) return 'V8 other builtins';
  if (dso.includes('libc')) return 'libc (malloc, syscalls)';
  if (/^(node::|uv_|uv__)/.test(sym)) return 'Node/libuv C++';
  if (sym.startsWith('v8::')) return 'V8 other native';
  return 'other native';
}

export interface PerfSummary {
  file: string;
  samples: number;
  cpu_s: number;
  us_per_frame: number;
  categories: Record<string, number>;
  top: { symbol: string; pct: number; us_per_frame: number }[];
}

/** Sort the samples of `file` by origin; `frames` relayed while it recorded. */
export function summarisePerf(file: string, frames: number, top = 25): PerfSummary | null {
  const result = spawnSync('perf', ['script', '-i', file, '-F', 'comm,tid,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.status !== 0) return null;
  const categories = new Map<string, number>();
  const symbols = new Map<string, number>();
  let n = 0;
  for (const line of result.stdout.split('\n')) {
    const m = /^\s*\S+\s+\d+\s+[0-9a-f]+\s+(.*)\((.*)\)\s*$/.exec(line);
    if (!m) continue;
    n++;
    const sym = m[1]!.trim() || '[unknown]';
    const cat = categoryOf(sym, m[2]!);
    categories.set(cat, (categories.get(cat) ?? 0) + 1);
    symbols.set(sym, (symbols.get(sym) ?? 0) + 1);
  }
  if (!n) return null;
  const us = (count: number) => Math.round(((count / PERF_HZ) * 1e8) / frames) / 100;
  return {
    file,
    samples: n,
    cpu_s: n / PERF_HZ,
    us_per_frame: us(n),
    categories: Object.fromEntries([...categories.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, us(v)])),
    top: [...symbols.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([symbol, v]) => ({ symbol, pct: Math.round((1000 * v) / n) / 10, us_per_frame: us(v) })),
  };
}

export function formatPerf(summary: PerfSummary, lines = 15): string {
  const out = [
    `perf ${summary.file}: ${summary.samples} samples (${summary.cpu_s.toFixed(2)} CPU s, all threads) = ${summary.us_per_frame} µs/frame`,
    `  by origin: ${Object.entries(summary.categories).map(([k, v]) => `${k} ${v}`).join(', ')} (µs/frame)`,
  ];
  for (const row of summary.top.slice(0, lines)) out.push(`    ${row.pct.toFixed(1).padStart(5)}% ${row.us_per_frame.toFixed(2).padStart(6)} µs  ${row.symbol.slice(0, 120)}`);
  return out.join('\n');
}

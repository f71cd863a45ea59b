/**
 * `npm run bench`: the benchmark suite. Starts each server under test (`bare`, `peerjs`,
 * `voicebot`) as its own process on a free port, drives it from a separate load-generator
 * process (bench/gen.ts) over loopback, and prints one table of medians with each figure's
 * ratio to `bare` measured in the same run; writes everything to bench/results/latest.json.
 *
 *   npm run bench                         every workload, 3 runs, medians
 *   npm run bench -- --quick              small smoke run (~1 min): fails if a workload does not complete or loses frames
 *   npm run bench -- --large              also 10,000 idle connections
 *   npm run bench -- --runs 5             runs per workload and server
 *   npm run bench -- --workloads relay,saturate --servers bare,voicebot
 *   npm run bench -- --cpu-prof           write a CPU profile of each server and summarise it
 *   npm run bench -- --perf               record each server with Linux perf over the measured window (relay, saturate)
 *   npm run bench -- --server-node-arg --perf-basic-prof   extra node flag for the servers (e.g. for Linux perf)
 *   npm run bench -- --out file.json
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerKind } from './lib/clients.ts';
import type { GenConfig, GenResult } from './gen.ts';
import { hostCpuMicros, machine } from './lib/proc.ts';
import { formatPerf, perfAvailable, summarisePerf, type PerfSummary } from './lib/perf.ts';
import { formatProfile, summariseProfile, type ProfileSummary } from './lib/profile.ts';
import { ROOT, startTarget, VOICEBOT_LOAD_ENV, type RunningTarget } from './lib/servers.ts';
import { median } from './lib/stats.ts';

type Workload = 'relay' | 'saturate' | 'conns' | 'conns-large' | 'chat' | 'join-storm';
const ALL_WORKLOADS: Workload[] = ['relay', 'saturate', 'conns', 'conns-large', 'chat', 'join-storm'];
const ALL_SERVERS: ServerKind[] = ['bare', 'peerjs', 'voicebot'];
/** Chat and join-storm need lobbies and chat, which only voicebot has. */
const VOICEBOT_ONLY = new Set<Workload>(['chat', 'join-storm']);

interface Options {
  quick: boolean;
  large: boolean;
  runs: number;
  workloads: Workload[];
  servers: ServerKind[];
  cpuProf: boolean;
  perf: boolean;
  nodeArgs: string[];
  out: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    quick: false,
    large: false,
    runs: 0,
    workloads: ALL_WORKLOADS.filter((w) => w !== 'conns-large'),
    servers: [...ALL_SERVERS],
    cpuProf: false,
    perf: false,
    nodeArgs: [],
    out: join(ROOT, 'bench/results/latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--large') options.large = true;
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--workloads' || arg === '--only') options.workloads = value().split(',') as Workload[];
    else if (arg === '--servers') options.servers = value().split(',') as ServerKind[];
    else if (arg === '--cpu-prof') options.cpuProf = true;
    else if (arg === '--perf') options.perf = true;
    else if (arg === '--server-node-arg') options.nodeArgs.push(value());
    else if (arg === '--out') options.out = value();
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run bench -- [--quick] [--large] [--runs N] [--workloads a,b] [--servers a,b] [--cpu-prof] [--perf] [--server-node-arg FLAG] [--out file]');
      console.log(`workloads: ${ALL_WORKLOADS.join(', ')}; servers: ${ALL_SERVERS.join(', ')}`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  for (const w of options.workloads) if (!ALL_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}`);
  for (const s of options.servers) if (!ALL_SERVERS.includes(s)) throw new Error(`unknown server ${s}`);
  if (options.large && !options.workloads.includes('conns-large')) options.workloads.push('conns-large');
  if (!options.runs) options.runs = options.quick ? 1 : 3;
  if (options.perf) {
    if (!perfAvailable()) throw new Error('--perf needs Linux perf (Debian: apt-get install linux-perf)');
    options.nodeArgs.push('--perf-basic-prof');
  }
  return options;
}

function paramsFor(workload: Workload, quick: boolean): Record<string, number> {
  if (quick) {
    return {
      relay: { pairs: 20, rate: 20, warm: 0.5, seconds: 2 },
      saturate: { pairs: 20, inflight_per_direction: 2, warm: 0.5, seconds: 2 },
      conns: { clients: 200, group: 10, settle_ms: 1000 },
      'conns-large': { clients: 1000, group: 10, settle_ms: 1000 },
      chat: { members: 10, rate: 20, seconds: 2 },
      'join-storm': { clients: 100, lobbies: 10 },
    }[workload];
  }
  return {
    relay: { pairs: 200, rate: 20, warm: 2, seconds: 10 },
    saturate: { pairs: 200, inflight_per_direction: 2, warm: 2, seconds: 10 },
    conns: { clients: 2000, group: 10, settle_ms: 3000 },
    'conns-large': { clients: 10_000, group: 10, settle_ms: 3000 },
    chat: { members: 50, rate: 100, seconds: 10 },
    'join-storm': { clients: 1000, lobbies: 100 },
  }[workload];
}

function runGenerator(config: GenConfig): Promise<GenResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/gen.ts', JSON.stringify(config)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.length > 20_000) err = err.slice(-10_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (config.maxSeconds + 15) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as GenResult);
      } catch {
        resolve({ ok: false, error: `generator exited ${code} without a result: ${err.slice(-2000)}`, metrics: {}, errors: {} });
      }
    });
  });
}

/** Read the chat table of a stopped voicebot server's SQLite file: how many of the run's messages are there. */
async function storedChatCount(dataDir: string | null): Promise<number | null> {
  if (!dataDir) return null;
  const file = join(dataDir, 'voicebot.sqlite');
  if (!existsSync(file)) return null;
  try {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT count(*) AS n FROM chat_messages WHERE text LIKE 'chat:K%'").get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

interface RunRecord {
  run: number;
  ok: boolean;
  error?: string;
  metrics: Record<string, number | string | boolean | null>;
  errors: Record<string, number>;
  control_frames?: Record<string, number>;
  profile?: ProfileSummary;
  perf?: PerfSummary;
}

type Results = Record<string, Record<string, { runs: RunRecord[]; median: Record<string, number> }>>;

function medians(runs: RunRecord[]): Record<string, number> {
  const keys = new Set<string>();
  for (const run of runs) for (const [k, v] of Object.entries(run.metrics)) if (typeof v === 'number') keys.add(k);
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = median(runs.map((run) => run.metrics[k] as number));
  return out;
}

async function runOne(workload: Workload, server: ServerKind, run: number, options: Options): Promise<RunRecord> {
  const genWorkload = workload === 'conns-large' ? 'conns' : workload;
  const params = paramsFor(workload, options.quick);
  let profileFile: string | undefined;
  if (options.cpuProf) {
    const dir = join(ROOT, 'bench/results/profiles');
    mkdirSync(dir, { recursive: true });
    profileFile = join(dir, `${server}-${workload}-run${run}.cpuprofile`);
  }
  let perfFile: string | undefined;
  if (options.perf && (workload === 'relay' || workload === 'saturate')) {
    const dir = join(ROOT, 'bench/results/profiles');
    mkdirSync(dir, { recursive: true });
    perfFile = join(dir, `${server}-${workload}-run${run}.perf.data`);
  }
  let target: RunningTarget | null = null;
  let started: RunningTarget | null = null;
  try {
    target = await startTarget(server, { cpuProfile: profileFile, nodeArgs: options.nodeArgs });
    started = target;
    const maxSeconds = workload === 'conns-large' ? 600 : options.quick ? 90 : 240;
    const result = await runGenerator({ workload: genWorkload, server, port: target.port, pid: target.pid, params, maxSeconds, perfFile });
    const record: RunRecord = { run, ok: result.ok, error: result.error, metrics: result.metrics, errors: result.errors, control_frames: result.control_frames };
    record.metrics.server_peak_rss_mib = target.peakRssKiB() / 1024;
    await target.stop();
    if (workload === 'chat') {
      const stored = await storedChatCount(target.dataDir);
      record.metrics.stored_sqlite = stored;
    }
    target = null;
    if (perfFile && existsSync(perfFile) && typeof record.metrics.frames_per_s === 'number' && typeof record.metrics.window_s === 'number') {
      record.perf = summarisePerf(perfFile, record.metrics.frames_per_s * record.metrics.window_s) ?? undefined;
    }
    if (profileFile && existsSync(profileFile)) {
      const m = record.metrics;
      const window =
        typeof m.window_mono_start_us === 'number' && typeof m.window_mono_end_us === 'number'
          ? {
              start_us: m.window_mono_start_us,
              end_us: m.window_mono_end_us,
              frames: typeof m.frames_per_s === 'number' && typeof m.window_s === 'number' ? Math.round(m.frames_per_s * m.window_s) : undefined,
              main_thread_us_per_frame: typeof m.server_main_thread_us_per_frame === 'number' ? m.server_main_thread_us_per_frame : undefined,
            }
          : undefined;
      record.profile = summariseProfile(profileFile, 25, window);
    }
    return record;
  } catch (error) {
    return { run, ok: false, error: String((error as Error)?.message ?? error), metrics: {}, errors: {} };
  } finally {
    await target?.stop();
    started?.cleanup();
  }
}

// ---------- printing ----------

const fmt = (v: number | undefined, digits = 1): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v >= 10_000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
const ratio = (v: number | undefined, ref: number | undefined): string =>
  v === undefined || ref === undefined || !Number.isFinite(v) || !Number.isFinite(ref) || ref <= 0 || v < 0 ? '' : `${(v / ref).toFixed(2)}×`;

interface Target {
  workload: string;
  what: string;
  measured: string;
  limit: string;
  met: boolean | null;
}

function flagsOf(m: Record<string, number>, cores: number): string {
  const flags: string[] = [];
  if ((m.gen_cores ?? 0) >= 0.9) flags.push('gen-bound');
  if ((m.host_cores ?? 0) >= 0.9 * cores) flags.push('host-busy');
  if ((m.other_cores ?? 0) >= 0.15) flags.push('noisy');
  return flags.join(' ');
}

function printTable(results: Results, options: Options, cores: number, markdown = false): string {
  const header = [
    'workload', 'server', 'frames/s', '×bare', 'srv µs/frame', '×bare', 'p50 ms', 'p99 ms', '×bare', 'max ms', 'lost',
    'srv CPU s', 'peak RSS MiB', 'KiB/conn', '×bare', 'setup s', 'gen cores', 'host cores', 'other cores', 'flags',
  ];
  const rows: string[][] = [];
  for (const workload of options.workloads) {
    const byServer = results[workload];
    if (!byServer) continue;
    const ref = byServer.bare?.median;
    for (const server of options.servers) {
      const entry = byServer[server];
      if (!entry) continue;
      const m = entry.median;
      const failed = entry.runs.some((r) => !r.ok);
      let rate = m.frames_per_s;
      let setup: number | undefined;
      let p50 = m.p50_ms;
      let p99 = m.p99_ms;
      if (workload === 'chat') rate = m.deliveries_per_s;
      if (workload.startsWith('conns')) setup = m.connect_s;
      if (workload === 'join-storm') {
        setup = Math.max(m.last_joined_ms ?? NaN, m.all_add_peer_ms ?? NaN) / 1000;
        p50 = NaN;
        p99 = NaN;
      }
      rows.push([
        workload,
        server + (failed ? ' FAILED' : ''),
        fmt(rate, 0),
        ratio(rate, workload === 'chat' ? undefined : ref?.frames_per_s),
        fmt(m.server_us_per_frame, 1),
        ratio(m.server_us_per_frame, ref?.server_us_per_frame),
        fmt(p50, 2),
        fmt(p99, 2),
        ratio(p99, ref?.p99_ms),
        fmt(m.max_ms, 1),
        m.lost === undefined ? '—' : String(m.lost),
        fmt(m.server_cpu_s, 2),
        fmt(m.server_peak_rss_mib, 0),
        fmt(m.kib_per_conn, 1),
        ratio(m.kib_per_conn, ref?.kib_per_conn),
        fmt(setup, 2),
        fmt(m.gen_cores, 2),
        fmt(m.host_cores, 2),
        fmt(m.other_cores, 2),
        flagsOf(m, cores),
      ]);
    }
  }
  if (markdown) {
    const md = (cells: string[]) => `| ${cells.map((c) => c || ' ').join(' | ')} |`;
    return [md(header), md(header.map((_, i) => (i < 2 || i === header.length - 1 ? '---' : '---:'))), ...rows.map(md)].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function evaluateTargets(results: Results, options: Options): Target[] {
  const targets: Target[] = [];
  const vb = (w: string) => results[w]?.voicebot;
  const ref = (w: string, s: string) => results[w]?.[s]?.median;
  for (const w of ['relay', 'saturate']) {
    const v = vb(w)?.median;
    const bare = ref(w, 'bare');
    const peer = ref(w, 'peerjs');
    if (!v) continue;
    const us = v.server_us_per_frame;
    if (bare) {
      targets.push({ workload: w, what: 'server µs/frame ≤ 1.2× bare', measured: `${fmt(us)} vs ${fmt(bare.server_us_per_frame)} (${ratio(us, bare.server_us_per_frame)})`, limit: fmt(1.2 * bare.server_us_per_frame!), met: us! <= 1.2 * bare.server_us_per_frame! });
      targets.push({ workload: w, what: 'frames/s ≥ 0.9× bare', measured: `${fmt(v.frames_per_s, 0)} vs ${fmt(bare.frames_per_s, 0)} (${ratio(v.frames_per_s, bare.frames_per_s)})`, limit: fmt(0.9 * bare.frames_per_s!, 0), met: v.frames_per_s! >= 0.9 * bare.frames_per_s! });
      targets.push({ workload: w, what: 'p99 ≤ 1.5× bare', measured: `${fmt(v.p99_ms, 2)} vs ${fmt(bare.p99_ms, 2)} ms (${ratio(v.p99_ms, bare.p99_ms)})`, limit: fmt(1.5 * bare.p99_ms!, 2), met: v.p99_ms! <= 1.5 * bare.p99_ms! });
    }
    if (peer) {
      targets.push({ workload: w, what: 'server µs/frame ≤ peerjs', measured: `${fmt(us)} vs ${fmt(peer.server_us_per_frame)} (${ratio(us, peer.server_us_per_frame)})`, limit: fmt(peer.server_us_per_frame), met: us! <= peer.server_us_per_frame! });
    }
  }
  for (const w of ['conns', 'conns-large']) {
    const v = vb(w)?.median;
    const bare = ref(w, 'bare');
    // RSS can fall between two readings when V8 collects: a negative delta (small runs) says nothing.
    if (v && bare && bare.kib_per_conn! > 0 && v.kib_per_conn! > 0) {
      targets.push({ workload: w, what: 'KiB/conn ≤ 1.5× bare', measured: `${fmt(v.kib_per_conn)} vs ${fmt(bare.kib_per_conn)} (${ratio(v.kib_per_conn, bare.kib_per_conn)})`, limit: fmt(1.5 * bare.kib_per_conn!), met: v.kib_per_conn! <= 1.5 * bare.kib_per_conn! });
    }
    if (w === 'conns-large' && vb(w)) {
      const entry = vb(w)!;
      targets.push({ workload: w, what: `${fmt(paramsFor('conns-large', options.quick).clients, 0)} connections on one process`, measured: `${entry.runs.filter((r) => r.ok).length}/${entry.runs.length} runs held all`, limit: 'all runs', met: entry.runs.every((r) => r.ok) });
    }
  }
  const chat = vb('chat');
  if (chat) {
    const m = chat.median;
    const durable = chat.runs.every((r) => r.metrics.stored === r.metrics.messages && (r.metrics.stored_sqlite === null || r.metrics.stored_sqlite === undefined || r.metrics.stored_sqlite === r.metrics.messages));
    targets.push({ workload: 'chat', what: 'p99 send→last receiver ≤ 25 ms', measured: `${fmt(m.p99_ms, 2)} ms`, limit: '25', met: m.p99_ms! <= 25 });
    targets.push({ workload: 'chat', what: 'every message durable', measured: `stored ${fmt(m.stored, 0)}/${fmt(m.messages, 0)} (HTTP), ${m.stored_sqlite === undefined ? 'n/a' : fmt(m.stored_sqlite, 0)} (SQLite)`, limit: 'all', met: durable });
  }
  return targets;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const host = machine();
  const startedAt = new Date().toISOString();
  const hostStart = hostCpuMicros();
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  console.log(`bench: ${host.cores} cores (${host.cpu_model}), Node ${host.node}, ${host.platform}, commit ${head || 'unknown'}`);
  console.log(`bench: ${options.quick ? 'quick' : 'full'} run, ${options.runs} run(s) each; workloads ${options.workloads.join(', ')}; servers ${options.servers.join(', ')}${options.cpuProf ? '; CPU profiles on (figures include profiler overhead)' : ''}`);
  const results: Results = {};
  let failures = 0;
  for (let run = 1; run <= options.runs; run++) {
    for (const workload of options.workloads) {
      for (const server of options.servers) {
        if (VOICEBOT_ONLY.has(workload) && server !== 'voicebot') continue;
        const t0 = performance.now();
        const record = await runOne(workload, server, run, options);
        const m = record.metrics;
        const brief = [
          m.frames_per_s !== undefined ? `${fmt(m.frames_per_s as number, 0)} frames/s` : '',
          m.server_us_per_frame !== undefined ? `${fmt(m.server_us_per_frame as number)} µs/frame` : '',
          m.p99_ms !== undefined ? `p99 ${fmt(m.p99_ms as number, 2)} ms` : '',
          m.kib_per_conn !== undefined ? `${fmt(m.kib_per_conn as number)} KiB/conn` : '',
          m.all_add_peer_ms !== undefined ? `last lobby_joined at ${fmt(m.last_joined_ms as number, 0)} ms, all add_peer at ${fmt(m.all_add_peer_ms as number, 0)} ms` : '',
          m.lost ? `LOST ${m.lost}` : '',
          m.gen_cores !== undefined ? `gen ${fmt(m.gen_cores as number, 2)} cores` : '',
        ].filter(Boolean).join(', ');
        console.log(`  run ${run} ${workload.padEnd(11)} ${server.padEnd(8)} ${record.ok ? 'ok    ' : 'FAILED'} ${brief} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        if (!record.ok) {
          failures++;
          console.log(`    error: ${record.error}`);
          if (Object.keys(record.errors).length) console.log(`    error frames: ${JSON.stringify(record.errors)}`);
        }
        if (record.profile) console.log(formatProfile(record.profile, 12).replace(/^/gm, '    '));
        if (record.perf) console.log(formatPerf(record.perf, 12).replace(/^/gm, '    '));
        const slot = ((results[workload] ??= {})[server] ??= { runs: [], median: {} });
        slot.runs.push(record);
      }
    }
  }
  for (const byServer of Object.values(results)) for (const entry of Object.values(byServer)) entry.median = medians(entry.runs);

  const hostEnd = hostCpuMicros();
  const table = printTable(results, options, host.cores);
  const targets = evaluateTargets(results, options);
  console.log('');
  console.log(`medians of ${options.runs} run(s); ×bare = ratio to the bare ws relay in this run; flags: gen-bound (generator ≥ 0.9 core), host-busy, noisy (other processes ≥ 0.15 core)`);
  console.log(table);
  if (targets.length) {
    console.log('');
    console.log(`targets${options.quick ? ' (quick run: sizes are too small for these to mean much)' : ''}:`);
    for (const t of targets) console.log(`  ${t.met === null ? '?' : t.met ? 'met    ' : 'NOT met'}  ${t.workload.padEnd(11)} ${t.what.padEnd(36)} ${t.measured} (limit ${t.limit})`);
  }
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' });
  const report = {
    machine: host,
    commit: `${git.stdout?.trim() || 'unknown'}${dirty.stdout?.trim() ? ' (src/ modified)' : ''}`,
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    host_busy_cores_avg: (hostEnd.busy - hostStart.busy) / Math.max(1, hostEnd.total - hostStart.total) * host.cores,
    options: { ...options, out: undefined },
    voicebot_env: VOICEBOT_LOAD_ENV,
    params: Object.fromEntries(options.workloads.map((w) => [w, paramsFor(w, options.quick)])),
    results,
    targets,
    failures,
  };
  mkdirSync(join(options.out, '..'), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  const mdFile = options.out.replace(/\.json$/, '') + '.md';
  const md = [
    `${options.quick ? 'Quick' : 'Full'} run, ${startedAt}, commit ${report.commit}: ${host.cores} cores (${host.cpu_model}), Node ${host.node}; medians of ${options.runs} run(s).`,
    '',
    printTable(results, options, host.cores, true),
    '',
    ...targets.map((t) => `- ${t.met ? 'met' : '**not met**'}: ${t.workload}, ${t.what}: ${t.measured} (limit ${t.limit})`),
    '',
  ].join('\n');
  writeFileSync(mdFile, md);
  console.log(`\nwrote ${options.out} and ${mdFile}`);
  if (failures) {
    console.log(`bench: ${failures} workload run(s) failed or lost frames`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * The load generator: one process that drives one server under test through one workload
 * and prints one JSON line with its figures. Started by bench/run.ts as
 * `tsx bench/gen.ts '<json config>'`; never run by hand except to debug.
 */
import {
  CHAT_MARKER,
  type Client,
  closeAll,
  connect,
  counters,
  createLobbies,
  createSessions,
  errorSummary,
  getJson,
  hooks,
  joinLobby,
  makeClients,
  nowMicros,
  openCount,
  parseRelay,
  pool,
  prepareRelay,
  readInt,
  sendRelay,
  startHeartbeats,
  type ServerKind,
  type Target,
} from './lib/clients.ts';
import { cpuSnapshot, cpuWindow, type CpuSnapshot, procMemKiB } from './lib/proc.ts';
import { perfRecord } from './lib/perf.ts';
import { Samples } from './lib/stats.ts';

let perfFile: string | undefined;
let perfDone: Promise<void> = Promise.resolve();
/** Start perf on the server for the window, when asked to. */
function startPerf(pid: number, seconds: number): void {
  if (perfFile) perfDone = perfRecord(pid, seconds, perfFile).done;
}

export interface GenConfig {
  workload: 'relay' | 'saturate' | 'conns' | 'chat' | 'join-storm';
  server: ServerKind;
  port: number;
  pid: number;
  params: Record<string, number>;
  /** Hard limit on the whole run, in seconds. */
  maxSeconds: number;
  /** Record the server with Linux perf over the measured window into this file. */
  perfFile?: string;
}

export interface GenResult {
  ok: boolean;
  error?: string;
  metrics: Record<string, number | string | boolean | null>;
  errors: Record<string, number>;
  /** Frames other than relayed ones and chat, by type (replies, add_peer, ...). */
  control_frames?: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `done` every 10 ms until it holds or `timeoutMs` passes; bounded. */
async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

async function setupPairs(target: Target, pairs: number): Promise<Client[]> {
  const clients = makeClients(pairs * 2, 2);
  await createSessions(target, clients);
  await createLobbies(target, clients);
  await pool(clients, 64, (client) => connect(target, client, true));
  for (let i = 0; i < clients.length; i += 2) {
    const a = clients[i]!;
    const b = clients[i + 1]!;
    prepareRelay(target.kind, a, b);
    prepareRelay(target.kind, b, a);
  }
  return clients;
}

function cpuFigures(a: CpuSnapshot, b: CpuSnapshot, frames: number): Record<string, number> {
  const w = cpuWindow(a, b);
  return {
    window_s: w.seconds,
    window_mono_start_us: w.mono_start_us,
    window_mono_end_us: w.mono_end_us,
    frames_per_s: frames / w.seconds,
    server_us_per_frame: (w.server_cpu_s * 1e6) / frames,
    server_main_thread_us_per_frame: (w.server_main_thread_cpu_s * 1e6) / frames,
    server_main_thread_sys_us_per_frame: (w.server_main_thread_sys_s * 1e6) / frames,
    /** Times the server's main thread blocked (woke) per 1,000 frames: fewer means more frames per event-loop turn. */
    server_main_wakeups_per_kframe: (w.server_main_voluntary_cs * 1000) / frames,
    server_main_preemptions_per_kframe: (w.server_main_involuntary_cs * 1000) / frames,
    server_other_threads_cs_per_kframe: (w.server_other_threads_cs * 1000) / frames,
    server_cpu_s: w.server_cpu_s,
    server_cores: w.server_cores,
    gen_cores: w.gen_cores,
    host_cores: w.host_cores,
    other_cores: w.other_cores,
    host_irq_cores: w.host_irq_cores,
    host_steal_cores: w.host_steal_cores,
    /** Interrupt time per frame: kernel work for the loopback traffic that no process is charged for. */
    host_irq_us_per_frame: (w.host_irq_cores * w.seconds * 1e6) / frames,
  };
}

/** Workload 1: open loop, every client sends to its partner at a fixed rate. */
async function relay(target: Target, pid: number, p: Record<string, number>): Promise<GenResult> {
  const pairs = p.pairs ?? 200;
  const rate = p.rate ?? 20;
  const warmMs = (p.warm ?? 2) * 1000;
  const measureMs = (p.seconds ?? 10) * 1000;
  const clients = await setupPairs(target, pairs);
  const stopBeats = startHeartbeats(target.kind, clients);
  const frameBytes = Buffer.byteLength(clients[0]!.pre + '0T' + nowMicros() + clients[0]!.post);

  const latency = new Samples(1 << 17);
  let sent = 0;
  let received = 0;
  let inWindow = 0;
  let measuring = false;
  let warmEndMicros = Infinity;
  let endMicros = Infinity;
  let receivedBytes = 0;
  hooks.relay = (_client, buf, at) => {
    received++;
    receivedBytes += buf.length;
    if (measuring) inWindow++;
    const [, , sentAt] = parseRelay(buf);
    if (sentAt >= warmEndMicros && sentAt < endMicros) latency.push(at - sentAt);
  };

  const totalRate = clients.length * rate;
  const t0 = performance.now();
  let start: CpuSnapshot | null = null;
  let end: CpuSnapshot | null = null;
  let rr = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const elapsed = now - t0;
      if (!start && elapsed >= warmMs) {
        startPerf(pid, measureMs / 1000);
        start = cpuSnapshot(pid);
        measuring = true;
        warmEndMicros = Math.round(now * 1000);
      }
      if (elapsed >= warmMs + measureMs) {
        end = cpuSnapshot(pid);
        measuring = false;
        endMicros = Math.round(now * 1000);
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((totalRate * elapsed) / 1000);
      while (sent < due) {
        sendRelay(clients[rr]!);
        rr = (rr + 1) % clients.length;
        sent++;
      }
    }, 5);
  });
  const drained = await until(() => received >= sent, 10_000);
  await perfDone;
  stopBeats();
  const open = openCount(clients);
  closeAll(clients);
  const metrics = {
    clients: clients.length,
    offered_per_s: totalRate,
    frame_bytes: frameBytes,
    received_frame_bytes: receivedBytes / Math.max(1, received),
    sent,
    received,
    lost: sent - received,
    ...cpuFigures(start!, end!, inWindow),
    ...latencyFields(latency),
    open_at_end: open,
  };
  const ok = drained && sent === received && open === clients.length;
  return { ok, error: ok ? undefined : failure(sent, received, open, clients.length), metrics, errors: errorSummary() };
}

/** Workload 2: closed loop, `inflight` frames per direction per pair; as fast as it goes. */
async function saturate(target: Target, pid: number, p: Record<string, number>): Promise<GenResult> {
  const pairs = p.pairs ?? 200;
  const perDirection = p.inflight_per_direction ?? 2;
  const warmMs = (p.warm ?? 2) * 1000;
  const measureMs = (p.seconds ?? 10) * 1000;
  const clients = await setupPairs(target, pairs);
  const stopBeats = startHeartbeats(target.kind, clients);

  const latency = new Samples(1 << 18);
  let sent = 0;
  let received = 0;
  let inWindow = 0;
  let measuring = false;
  let running = true;
  let pending: Client[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (const client of batch) sendRelay(client);
    sent += batch.length;
  };
  hooks.relay = (client, buf, at) => {
    received++;
    const [, , sentAt] = parseRelay(buf);
    if (measuring) {
      inWindow++;
      latency.push(at - sentAt);
    }
    if (running) {
      pending.push(clients[client.partner]!);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    }
  };
  for (let k = 0; k < perDirection; k++) for (const client of clients) sendRelay(client);
  sent += perDirection * clients.length;
  await sleep(warmMs);
  startPerf(pid, measureMs / 1000);
  const start = cpuSnapshot(pid);
  measuring = true;
  await sleep(measureMs);
  measuring = false;
  const end = cpuSnapshot(pid);
  running = false;
  const drained = await until(() => received >= sent && pending.length === 0, 10_000);
  await perfDone;
  stopBeats();
  const open = openCount(clients);
  closeAll(clients);
  const metrics = {
    clients: clients.length,
    in_flight: clients.length * perDirection,
    sent,
    received,
    lost: sent - received,
    ...cpuFigures(start, end, inWindow),
    ...latencyFields(latency),
    open_at_end: open,
  };
  Object.assign(metrics, { per_connection_per_s: inWindow / ((end.at - start.at) / 1000) / clients.length });
  const ok = drained && sent === received && open === clients.length;
  return { ok, error: ok ? undefined : failure(sent, received, open, clients.length), metrics, errors: errorSummary() };
}

/** Workload 3: many idle clients, connected, named and joined. */
async function conns(target: Target, pid: number, p: Record<string, number>): Promise<GenResult> {
  const count = p.clients ?? 2000;
  const groupSize = p.group ?? 10;
  const warmCount = Math.max(10, Math.min(50, Math.ceil(count / 20)));
  // Warm-up clients (own lobbies) so one-time allocations are not charged to connections.
  const warm = makeClients(warmCount, groupSize, 1_000_000);
  await createSessions(target, warm);
  await createLobbies(target, warm);
  await pool(warm, 16, (client) => connect(target, client, true));
  const clients = makeClients(count, groupSize);
  // Baseline before the sessions exist: a session is part of what a connected user costs.
  await sleep(1000);
  const base = procMemKiB(pid);
  const t0 = performance.now();
  await createSessions(target, clients);
  await createLobbies(target, clients);
  const sessionsSeconds = (performance.now() - t0) / 1000;
  const afterSessions = procMemKiB(pid);
  const cpuStart = cpuSnapshot(pid);
  const t1 = performance.now();
  await pool(clients, 64, (client) => connect(target, client, true));
  const connectSeconds = (performance.now() - t1) / 1000;
  const cpuEnd = cpuSnapshot(pid);
  const stopBeats = startHeartbeats(target.kind, [...warm, ...clients]);
  // Sample RSS while idle; the last sample counts, the lowest shows how much was garbage.
  let lowest = Infinity;
  const settleEnd = performance.now() + (p.settle_ms ?? 3000);
  while (performance.now() < settleEnd) {
    await sleep(250);
    lowest = Math.min(lowest, procMemKiB(pid).rss);
  }
  const after = procMemKiB(pid);
  const open = openCount(clients);
  stopBeats();
  closeAll(clients);
  closeAll(warm);
  const w = cpuWindow(cpuStart, cpuEnd);
  const metrics = {
    clients: count,
    warmup_clients: warmCount,
    group_size: groupSize,
    sessions_s: target.kind === 'voicebot' ? sessionsSeconds : null,
    connect_s: connectSeconds,
    connects_per_s: count / connectSeconds,
    server_us_per_connect: (w.server_cpu_s * 1e6) / count,
    gen_cores: w.gen_cores,
    server_cores: w.server_cores,
    host_cores: w.host_cores,
    other_cores: w.other_cores,
    rss_before_kib: base.rss,
    rss_after_sessions_kib: afterSessions.rss,
    rss_after_kib: after.rss,
    rss_settle_min_kib: lowest,
    kib_per_conn: (after.rss - base.rss) / count,
    kib_per_conn_settle_min: (lowest - base.rss) / count,
    open_at_end: open,
  };
  const ok = open === count;
  return { ok, error: ok ? undefined : `${count - open} of ${count} connections closed`, metrics, errors: errorSummary() };
}

/** Workload 4 (voicebot): one lobby, chat at a fixed rate, every message stored. */
async function chat(target: Target, pid: number, p: Record<string, number>): Promise<GenResult> {
  const members = p.members ?? 50;
  const rate = p.rate ?? 100;
  const seconds = p.seconds ?? 10;
  const total = Math.round(rate * seconds);
  const clients = makeClients(members, members);
  await createSessions(target, clients);
  await createLobbies(target, clients);
  await pool(clients, 16, (client) => connect(target, client, true));
  await sleep(500);

  const sentAt = new Float64Array(total);
  const receipts = new Uint16Array(total);
  const latency = new Samples(total);
  let complete = 0;
  let duplicates = 0;
  hooks.chat = (_client, buf, at) => {
    const markerAt = buf.indexOf(CHAT_MARKER) + CHAT_MARKER.length;
    const [k] = readInt(buf, markerAt, 84 /* T */);
    if (k >= total) return;
    const n = ++receipts[k]!;
    if (n === members) {
      complete++;
      latency.push(at - sentAt[k]!);
    } else if (n > members) duplicates++;
  };
  const lobbyId = clients[0]!.lobbyId;
  const start = cpuSnapshot(pid);
  const t0 = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor((rate * (performance.now() - t0)) / 1000));
      while (next < due) {
        const k = next++;
        const sender = clients[k % members]!;
        const now = nowMicros();
        sentAt[k] = now;
        const text = `chat:K${k}T${now} hello everyone, message ${k} of the benchmark`;
        sender.ws!.send(JSON.stringify({ type: 'send_chat', data: { lobby_id: lobbyId, text } }));
      }
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const drained = await until(() => complete >= total, 10_000);
  const end = cpuSnapshot(pid);
  const w = cpuWindow(start, end);

  // Every message must be in storage: page back through the history over HTTP.
  const stored = new Set<number>();
  let before: string | null = null;
  for (let page = 0; page < Math.ceil(total / 200) + 5; page++) {
    const query: string = `/api/lobbies/${lobbyId}/chat?limit=200${before ? `&before=${encodeURIComponent(before)}` : ''}`;
    const body = (await getJson(target, query)) as { messages: { id: string; text: string }[] };
    if (!body.messages.length) break;
    for (const message of body.messages) {
      const match = /^chat:K(\d+)T/.exec(message.text);
      if (match) stored.add(Number(match[1]));
    }
    before = body.messages[0]!.id;
    if (body.messages.length < 200) break;
  }
  const open = openCount(clients);
  closeAll(clients);
  const metrics = {
    members,
    messages: total,
    complete,
    duplicates,
    deliveries_per_s: (complete * members) / w.seconds,
    messages_per_s: complete / w.seconds,
    ...latencyFields(latency),
    stored: stored.size,
    server_cores: w.server_cores,
    gen_cores: w.gen_cores,
    host_cores: w.host_cores,
    other_cores: w.other_cores,
    open_at_end: open,
  };
  const ok = drained && complete === total && stored.size === total && duplicates === 0 && open === members;
  return {
    ok,
    error: ok ? undefined : `complete ${complete}/${total}, stored ${stored.size}/${total}, duplicates ${duplicates}`,
    metrics,
    errors: errorSummary(),
  };
}

/** Workload 5 (voicebot): every client joins its lobby at the same moment. */
async function joinStorm(target: Target, pid: number, p: Record<string, number>): Promise<GenResult> {
  const count = p.clients ?? 1000;
  const lobbies = p.lobbies ?? 100;
  const groupSize = Math.ceil(count / lobbies);
  const clients = makeClients(count, groupSize);
  await createSessions(target, clients);
  await createLobbies(target, clients);
  await pool(clients, 64, (client) => connect(target, client, false));
  const sizes = new Map<number, number>();
  for (const client of clients) sizes.set(client.group, (sizes.get(client.group) ?? 0) + 1);
  let expectedAddPeer = 0;
  for (const size of sizes.values()) expectedAddPeer += size * (size - 1);
  let addPeer = 0;
  let lastAddPeerAt = 0;
  hooks.control = (_client, frame) => {
    if (frame.type === 'add_peer') {
      addPeer++;
      lastAddPeerAt = performance.now();
    }
  };
  await sleep(500);
  const start = cpuSnapshot(pid);
  const t0 = performance.now();
  let joined = 0;
  let lastJoinedAt = 0;
  let failed = 0;
  const joins = clients.map((client) =>
    joinLobby(client, 60_000).then(
      () => {
        joined++;
        lastJoinedAt = performance.now();
      },
      () => {
        failed++;
      },
    ),
  );
  await Promise.all(joins);
  const allPeers = await until(() => addPeer >= expectedAddPeer, 10_000);
  const end = cpuSnapshot(pid);
  const w = cpuWindow(start, end);
  const open = openCount(clients);
  closeAll(clients);
  const metrics = {
    clients: count,
    lobbies,
    joined,
    failed,
    add_peer: addPeer,
    add_peer_expected: expectedAddPeer,
    last_joined_ms: lastJoinedAt - t0,
    all_add_peer_ms: lastAddPeerAt - t0,
    server_cpu_s: w.server_cpu_s,
    gen_cores: w.gen_cores,
    host_cores: w.host_cores,
    other_cores: w.other_cores,
    open_at_end: open,
  };
  const ok = joined === count && allPeers && addPeer === expectedAddPeer && open === count;
  return {
    ok,
    error: ok ? undefined : `joined ${joined}/${count}, add_peer ${addPeer}/${expectedAddPeer}`,
    metrics,
    errors: errorSummary(),
  };
}

function latencyFields(samples: Samples): Record<string, number> {
  const s = samples.summary();
  return { latency_samples: s.count, p50_ms: s.p50_ms, p99_ms: s.p99_ms, max_ms: s.max_ms };
}

function failure(sent: number, received: number, open: number, clients: number): string {
  return `sent ${sent}, received ${received} (lost ${sent - received}), ${clients - open} sockets closed`;
}

const WORKLOADS = { relay, saturate, conns, chat, 'join-storm': joinStorm };

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as GenConfig;
  const hardStop = setTimeout(() => {
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: `generator gave up after ${config.maxSeconds} s`, metrics: {}, errors: errorSummary() })}\n`,
      () => process.exit(3),
    );
  }, config.maxSeconds * 1000);
  let result: GenResult;
  try {
    perfFile = config.perfFile;
    const run = WORKLOADS[config.workload];
    if (!run) throw new Error(`unknown workload ${config.workload}`);
    result = await run({ kind: config.server, port: config.port }, config.pid, config.params);
  } catch (error) {
    result = { ok: false, error: String((error as Error)?.stack ?? error), metrics: {}, errors: errorSummary() };
  }
  clearTimeout(hardStop);
  result.metrics.closed_sockets_seen = counters.closed;
  result.control_frames = Object.fromEntries(counters.control);
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

void main();

/**
 * Load-generator side of the three protocols: connecting many clients to one server under
 * test, and building the relayed frame of each protocol.
 *
 * A relayed frame carries its sender index, sequence number and send time inside the ICE
 * candidate string (`candidate:B<sender>N<seq>T<micros> ...`), so the receiver finds them with
 * one byte search and no JSON parse, and no unknown field is added to any protocol.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export type ServerKind = 'bare' | 'peerjs' | 'voicebot';

export const RELAY_MARKER = Buffer.from('candidate:B');
export const CHAT_MARKER = Buffer.from('chat:K');
/** The rest of a typical host candidate after the foundation. */
const CANDIDATE_TAIL = ' 1 udp 2122260223 10.0.3.17 54321 typ host generation 0 ufrag b7Qx';

export interface Counters {
  errors: Map<string, number>;
  closed: number;
  control: Map<string, number>;
}

export const counters: Counters = { errors: new Map(), closed: 0, control: new Map() };

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export interface Client {
  idx: number;
  /** The id peers address this client by. */
  id: string;
  token: string;
  group: number;
  lobbyId: string;
  ws: WebSocket | null;
  /** Prefix and suffix of this client's relayed frame to its partner. */
  pre: string;
  post: string;
  seq: number;
  partner: number;
  /** Pending replies by request id (voicebot) or by frame type (peerjs OPEN). */
  waiters: Map<string, (frame: Frame) => void>;
}

export interface Frame {
  type: string;
  id?: string;
  data?: Record<string, unknown>;
  payload?: unknown;
  [key: string]: unknown;
}

/** Handlers the workload installs: relayed frames (marker found) and chat frames. */
export const hooks: {
  relay: (client: Client, buf: Buffer, at: number) => void;
  chat: (client: Client, buf: Buffer, at: number) => void;
  control: (client: Client, frame: Frame) => void;
} = {
  relay: () => undefined,
  chat: () => undefined,
  control: () => undefined,
};

const zeroMask = (mask: Buffer): void => {
  mask[0] = 0;
  mask[1] = 0;
  mask[2] = 0;
  mask[3] = 0;
};

export function nowMicros(): number {
  return Math.round(performance.now() * 1000);
}

/** Parse an unsigned decimal integer in `buf` from `i` up to the byte `stop`; returns [value, next]. */
export function readInt(buf: Buffer, i: number, stop: number): [number, number] {
  let v = 0;
  for (;;) {
    const c = buf[i];
    if (c === undefined || c === stop) return [v, i + 1];
    v = v * 10 + (c - 48);
    i++;
  }
}

function onMessage(client: Client, data: Buffer): void {
  const at = nowMicros();
  if (data.indexOf(RELAY_MARKER) >= 0) {
    hooks.relay(client, data, at);
    return;
  }
  if (data.indexOf(CHAT_MARKER) >= 0) {
    hooks.chat(client, data, at);
    return;
  }
  let frame: Frame;
  try {
    frame = JSON.parse(data.toString());
  } catch {
    bump(counters.errors, 'unparsable');
    return;
  }
  const type = String(frame.type);
  bump(counters.control, type);
  if (type === 'error' || type === 'ERROR' || type === 'ID-TAKEN') {
    const code = (frame.data as { code?: string } | undefined)?.code ?? (frame.payload as { msg?: string })?.msg ?? type;
    bump(counters.errors, String(code));
  }
  const key = frame.id ?? type;
  const waiter = client.waiters.get(key);
  if (waiter) {
    client.waiters.delete(key);
    waiter(frame);
  }
  hooks.control(client, frame);
}

function waitFor(client: Client, key: string, timeoutMs: number): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.waiters.delete(key);
      reject(new Error(`client ${client.idx}: no ${key} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.waiters.set(key, (frame) => {
      clearTimeout(timer);
      resolve(frame);
    });
  });
}

let requestSeq = 0;

/** Send a voicebot request and wait for the frame carrying its id (the reply or an error). */
export async function request(
  client: Client,
  type: string,
  data: Record<string, unknown>,
  expect: string,
  timeoutMs = 30_000,
): Promise<Frame> {
  const id = `q${++requestSeq}`;
  const reply = waitFor(client, id, timeoutMs);
  client.ws!.send(JSON.stringify({ type, id, data }));
  const frame = await reply;
  if (frame.type !== expect) {
    throw new Error(`${type}: expected ${expect}, got ${frame.type} ${JSON.stringify(frame.data ?? frame.payload)}`);
  }
  return frame;
}

function open(url: string, client: Client, readyKey: string | null, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      generateMask: zeroMask,
      handshakeTimeout: timeoutMs,
    });
    client.ws = ws;
    let settled = false;
    const ready = readyKey ? waitFor(client, readyKey, timeoutMs) : null;
    ws.on('message', (data: Buffer) => onMessage(client, data));
    ws.on('close', () => {
      counters.closed++;
      if (!settled) {
        settled = true;
        reject(new Error(`client ${client.idx}: closed during connect`));
      }
    });
    ws.on('error', (error) => {
      bump(counters.errors, `socket: ${error.message}`);
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    ws.on('open', () => {
      if (!ready) {
        settled = true;
        resolve();
        return;
      }
      ready.then(
        () => {
          settled = true;
          resolve();
        },
        (error) => {
          settled = true;
          reject(error);
        },
      );
    });
  });
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export interface Target {
  kind: ServerKind;
  port: number;
}

async function http(target: Target, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`http://127.0.0.1:${target.port}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

export function getJson(target: Target, path: string): Promise<any> {
  return http(target, 'GET', path);
}

const runTag = randomBytes(3).toString('hex');

export function makeClients(count: number, groupSize: number, firstIdx = 0): Client[] {
  return Array.from({ length: count }, (_, i) => ({
    idx: firstIdx + i,
    id: '',
    token: '',
    group: Math.floor((firstIdx + i) / groupSize),
    lobbyId: '',
    ws: null,
    pre: '',
    post: '',
    seq: 0,
    partner: -1,
    waiters: new Map(),
  }));
}

/** Voicebot only: create a session for each client (HTTP). */
export async function createSessions(target: Target, clients: Client[], concurrency = 16): Promise<void> {
  if (target.kind !== 'voicebot') return;
  await pool(clients, concurrency, async (client) => {
    const body = await http(target, 'POST', '/api/sessions', {});
    client.id = body.session.id;
    client.token = body.token;
  });
}

/** Voicebot only: create (or get) one public lobby per group. */
export async function createLobbies(target: Target, clients: Client[], concurrency = 16): Promise<void> {
  if (target.kind !== 'voicebot') return;
  const firsts = new Map<number, Client>();
  for (const client of clients) if (!firsts.has(client.group)) firsts.set(client.group, client);
  const ids = new Map<number, string>();
  await pool([...firsts.values()], concurrency, async (client) => {
    const body = await http(target, 'POST', '/api/lobbies', { name: `bench-${runTag}-${client.group}` }, client.token);
    ids.set(client.group, body.lobby.id);
  });
  for (const client of clients) client.lobbyId = ids.get(client.group)!;
}

/** Connect one client (and, for voicebot, name it); `join` also joins its lobby. */
export async function connect(target: Target, client: Client, join: boolean, timeoutMs = 30_000): Promise<void> {
  const base = `ws://127.0.0.1:${target.port}`;
  switch (target.kind) {
    case 'bare':
      // UUID-sized ids, as real peers use (PeerJS and voicebot ids are UUIDs too).
      client.id = randomUUID();
      await open(`${base}/?id=${client.id}`, client, null, timeoutMs);
      return;
    case 'peerjs':
      client.id = randomUUID();
      client.token = randomBytes(6).toString('hex');
      await open(`${base}/peerjs?key=peerjs&id=${client.id}&token=${client.token}`, client, 'OPEN', timeoutMs);
      return;
    case 'voicebot':
      await open(`${base}/ws?token=${client.token}`, client, 'welcome', timeoutMs);
      await request(client, 'set_name', { name: `b${client.idx}x${runTag}` }, 'name_set', timeoutMs);
      if (join) await joinLobby(client, timeoutMs);
      return;
  }
}

export function joinLobby(client: Client, timeoutMs = 30_000): Promise<Frame> {
  return request(client, 'join_lobby', { lobby_id: client.lobbyId }, 'lobby_joined', timeoutMs);
}

/** Prebuild the relayed frame of `from` to `to`: frame = pre + seq + 'T' + micros + post. */
export function prepareRelay(kind: ServerKind, from: Client, to: Client): void {
  from.partner = to.idx;
  const head = `"candidate":{"candidate":"candidate:B${from.idx}N`;
  const tail = `${CANDIDATE_TAIL}","sdpMid":"0","sdpMLineIndex":0}`;
  switch (kind) {
    case 'bare':
      from.pre = `{"to":"${to.id}","payload":{${head}`;
      from.post = `${tail}}}`;
      return;
    case 'peerjs':
      from.pre = `{"type":"CANDIDATE","dst":"${to.id}","payload":{"type":"media","connectionId":"mc_${from.idx}",${head}`;
      from.post = `${tail}}}`;
      return;
    case 'voicebot':
      from.pre = `{"type":"relay_ice","data":{"lobby_id":"${from.lobbyId}","peer_id":"${to.id}",${head}`;
      from.post = `${tail}}}`;
      return;
  }
}

/** Send the next relayed frame of `client` to its partner, stamped with the current time. */
export function sendRelay(client: Client): void {
  client.ws!.send(client.pre + client.seq++ + 'T' + nowMicros() + client.post);
}

/** Parse a relayed frame found by its marker: [sender index, seq, send micros]. */
export function parseRelay(buf: Buffer): [number, number, number] {
  const at = buf.indexOf(RELAY_MARKER) + RELAY_MARKER.length;
  const [sender, i1] = readInt(buf, at, 78 /* N */);
  const [seq, i2] = readInt(buf, i1, 84 /* T */);
  const [sent] = readInt(buf, i2, 32 /* space */);
  return [sender, seq, sent];
}

/** PeerJS clients send HEARTBEAT every 5 s by default; so do ours. */
export function startHeartbeats(kind: ServerKind, clients: Client[], intervalMs = 5000): () => void {
  if (kind !== 'peerjs') return () => undefined;
  let next = 0;
  const perTick = Math.max(1, Math.ceil(clients.length / (intervalMs / 100)));
  const timer = setInterval(() => {
    for (let k = 0; k < perTick; k++) {
      const client = clients[next++ % clients.length];
      if (client?.ws?.readyState === WebSocket.OPEN) client.ws.send('{"type":"HEARTBEAT"}');
    }
  }, 100);
  return () => clearInterval(timer);
}

export function closeAll(clients: Client[]): void {
  for (const client of clients) client.ws?.terminate();
}

export function openCount(clients: Client[]): number {
  let n = 0;
  for (const client of clients) if (client.ws?.readyState === WebSocket.OPEN) n++;
  return n;
}

export function errorSummary(): Record<string, number> {
  return Object.fromEntries(counters.errors);
}

/**
 * Micro-benchmark of the JavaScript a relayed ICE frame costs inside each server, without
 * sockets or the kernel: what `bare` does (parse + stringify) against the voicebot
 * server's own Dispatcher and relay_ice handler, and the pieces of the latter.
 *
 *   npx tsx bench/micro.ts [--iterations 200000]
 *
 * The socket writes are stubs, so the figures are the JS share of the per-frame cost; the
 * end-to-end figures (with ws framing and syscalls) come from `npm run bench`.
 */
import { ClientData } from '../src/protocol/ws.ts';
import { Connection } from '../src/server/ws/connection.ts';
import { Dispatcher } from '../src/server/ws/dispatcher.ts';
import { encode, encodeRelay } from '../src/server/ws/frames.ts';
import { isRelayIceData } from '../src/protocol/ws-fast.ts';
import { relayIce } from '../src/server/ws/handlers/signaling.ts';
import { LocalConnectionRegistry } from '../src/server/cluster/connection-registry.ts';
import { systemClock } from '../src/server/core/clock.ts';
import { createLogger } from '../src/server/log.ts';
import type { HandlerTable, WsServices } from '../src/server/ws/services.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--iterations');
const iterations = at >= 0 ? Number(args[at + 1]) : 200_000;

const lobbyId = 'b5f3c2a1-7d4e-4a8b-9c1d-2e3f4a5b6c7d';
const me = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const peer = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
const candidate =
  'candidate:B12N345T678901234 1 udp 2122260223 10.0.3.17 54321 typ host generation 0 ufrag b7Qx';
const voicebotFrame = Buffer.from(
  JSON.stringify({
    type: 'relay_ice',
    data: { lobby_id: lobbyId, peer_id: peer, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } },
  }),
);
const bareFrame = Buffer.from(
  JSON.stringify({ to: peer, payload: { candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } } }),
);

let sink = 0;
const fakeSocket = (): any => ({
  readyState: 1,
  send: (frame: { length: number }) => (sink += frame.length),
  close() {},
});
const rate = { burst: 1e12, perSecond: 1e12, abuseLimit: 10 };
const sender = new Connection(fakeSocket(), me as never, null, rate, Date.now());
const receiver = new Connection(fakeSocket(), peer as never, null, rate, Date.now());
const registry = new LocalConnectionRegistry<Connection>();
registry.add(sender);
registry.add(receiver);
const members = new Map([[lobbyId, new Set([me, peer])]]);
const lobbies = {
  isMember: (l: string, s: string) => members.get(l)?.has(s) ?? false,
  areMembers: (l: string, a: string, b: string) =>
    (members.get(l)?.has(a) && members.get(l)?.has(b)) ?? false,
};
const services = { lobbies, registry } as unknown as WsServices;
const handlers = { relay_ice: relayIce(services) } as unknown as HandlerTable;
const dispatcher = new Dispatcher(handlers, systemClock, createLogger('warn'));
const schema = ClientData.relay_ice;
const parsedData = JSON.parse(voicebotFrame.toString()).data;

const bareTargets = new Map([[peer, { send: (frame: string) => (sink += frame.length) }]]);

const cases: Record<string, () => void> = {
  'bare: parse + lookup + stringify': () => {
    const frame = JSON.parse(bareFrame.toString());
    bareTargets.get(frame.to)?.send(JSON.stringify({ from: me, payload: frame.payload }));
  },
  'voicebot: Dispatcher.dispatch(relay_ice)': () => dispatcher.dispatch(sender, voicebotFrame),
  '  Buffer.toString + JSON.parse': () => {
    sink += JSON.parse(voicebotFrame.toString()).type.length;
  },
  '  zod safeParse(relay_ice data) (error path only)': () => {
    sink += schema.safeParse(parsedData).success ? 1 : 0;
  },
  '  isRelayIceData (hand-written check)': () => {
    sink += isRelayIceData(parsedData) ? 1 : 0;
  },
  "  encodeRelay('ice', ...) (spliced)": () => {
    sink += encodeRelay('ice', lobbyId, me, 'candidate', parsedData.candidate).text.length;
  },
  "  encode('ice', ...)": () => {
    const encoded: unknown = encode('ice', {
      lobby_id: lobbyId,
      peer_id: me,
      candidate: parsedData.candidate,
    });
    sink += typeof encoded === 'string' ? encoded.length : (encoded as { text: string }).text.length;
  },
  '  token bucket + clock': () => {
    sink += sender.admit(systemClock.now()) === 'ok' ? 1 : 0;
  },
};

function time(fn: () => void): number {
  for (let i = 0; i < 20_000; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - t0) / iterations;
}

console.log(`micro: ${iterations} iterations each, Node ${process.version}; ns per frame (median of 5)`);
for (const [name, fn] of Object.entries(cases)) {
  const samples = Array.from({ length: 5 }, () => time(fn)).sort((a, b) => a - b);
  console.log(`${name.padEnd(50)} ${samples[2]!.toFixed(0).padStart(6)} ns`);
}
if (sink === 42) console.log('');

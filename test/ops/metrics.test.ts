/**
 * `/metrics`: admin token required (401 with a code otherwise) unless METRICS_PUBLIC; the answer
 * parses as Prometheus text; counters, gauges and the relay histogram move when traffic flows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SETTINGS } from '../../src/server/config.ts';
import { api, TestClient } from '../helpers/client.ts';
import { ROOT, startServer, type RunningServer } from '../helpers/server.ts';
import { parsePrometheus, type Exposition } from './prom-text.ts';

let server: RunningServer;

before(async () => {
  server = await startServer({
    env: { WS_RATE_BURST: '30', WS_RATE_REFILL_PER_SEC: '1', WS_ABUSE_LIMIT: '1000' },
  });
});
after(async () => {
  await server?.stop();
});

async function scrape(
  target: RunningServer,
  token: string | undefined = target.adminToken,
): Promise<Exposition> {
  const response = await fetch(`${target.url}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
}

test('GET /metrics without or with a wrong token is 401 admin_required and shows nothing', async () => {
  for (const headers of [
    {} as Record<string, string>,
    { authorization: 'Bearer wrong-token-0123456789abcdef' },
    { authorization: 'Basic x' },
  ]) {
    const response = await fetch(`${server.url}/metrics`, { headers });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'admin_required');
    assert.equal(typeof body.error.message, 'string');
  }
});

test('metrics parse as Prometheus text and move with traffic', async () => {
  const base = await scrape(server);
  for (const family of [
    'voicebot_connected_sockets',
    'voicebot_sessions',
    'voicebot_lobbies',
    'voicebot_participants',
    'voicebot_ws_messages_in_total',
    'voicebot_ws_messages_out_total',
    'voicebot_errors_total',
    'voicebot_rate_limit_hits_total',
    'voicebot_relay_latency_seconds',
    'voicebot_event_log_lag_seconds',
    'voicebot_event_log_last_seq',
    'voicebot_webhook_lag_events',
    'voicebot_process_cpu_user_seconds_total',
    'voicebot_nodejs_eventloop_lag_seconds',
  ]) {
    assert.ok(base.types.has(family), `family ${family} is exposed`);
  }
  assert.equal(base.types.get('voicebot_relay_latency_seconds'), 'histogram');
  assert.equal(base.types.get('voicebot_ws_messages_in_total'), 'counter');
  assert.equal(base.value('voicebot_connected_sockets'), 0);

  // Traffic: two participants, relayed candidates, chat, bad frames, an HTTP 404.
  const owner = await api(server.url, 'POST', '/api/sessions');
  const lobbyId = (
    await api(server.url, 'POST', '/api/lobbies', { token: owner.body.token, body: { name: 'Metered' } })
  ).body.lobby.id as string;
  const alice = await TestClient.joined(server, 'Alice', lobbyId);
  const bob = await TestClient.joined(server, 'Bob', lobbyId);
  const RELAYS = 12;
  for (let i = 0; i < RELAYS; i++) {
    alice.send({
      type: 'relay_ice',
      data: {
        lobby_id: lobbyId,
        peer_id: bob.sessionId,
        candidate: { candidate: `candidate:${i} 1 udp 1 127.0.0.1 ${9000 + i} typ host`, sdpMid: '0' },
      },
    });
  }
  await bob.waitFor(() => bob.ofType('ice').length === RELAYS);
  await alice.request('send_chat', { lobby_id: lobbyId, text: 'counted' });
  alice.send('not json');
  await alice.waitFor((frame) => frame.type === 'error' && frame.data.code === 'invalid_json');
  await alice.request('no_such_type', {});
  assert.equal((await api(server.url, 'GET', '/api/lobbies/nope')).status, 404);

  const now = await scrape(server);
  const delta = (name: string, labels?: Record<string, string>) =>
    now.value(name, labels) - base.value(name, labels);
  assert.equal(now.value('voicebot_connected_sockets'), 2);
  assert.equal(now.value('voicebot_participants'), 2);
  assert.ok(now.value('voicebot_sessions') >= 3);
  assert.ok(now.value('voicebot_lobbies') >= 1);
  assert.equal(delta('voicebot_ws_messages_in_total', { type: 'relay_ice' }), RELAYS);
  assert.equal(delta('voicebot_ws_messages_out_total', { type: 'ice' }), RELAYS);
  assert.equal(delta('voicebot_ws_messages_in_total', { type: 'send_chat' }), 1);
  assert.equal(delta('voicebot_ws_messages_out_total', { type: 'chat_message' }), 2);
  assert.ok(delta('voicebot_ws_messages_out_total', { type: 'welcome' }) >= 2);
  assert.equal(delta('voicebot_errors_total', { code: 'invalid_json' }), 1);
  assert.equal(delta('voicebot_errors_total', { code: 'unknown_type' }), 1);
  assert.ok(
    delta('voicebot_errors_total', { code: 'unknown_lobby' }) +
      delta('voicebot_errors_total', { code: 'not_found' }) >=
      1,
  );
  // One frame in 8 is timed: of 12 consecutive relays, one or two.
  const timed = delta('voicebot_relay_latency_seconds_count', { type: 'relay_ice' });
  assert.ok(timed >= 1 && timed <= 2, `${timed} relays timed`);
  assert.equal(
    now.value('voicebot_relay_latency_seconds_bucket', { type: 'relay_ice', le: '+Inf' }),
    now.value('voicebot_relay_latency_seconds_count', { type: 'relay_ice' }),
  );
  assert.ok(now.value('voicebot_relay_latency_seconds_sum', { type: 'relay_ice' }) > 0);
  assert.equal(delta('voicebot_events_total', { type: 'chat.sent' }), 1);
  assert.ok(delta('voicebot_event_log_last_seq') >= 5, 'session, name, join and chat events are logged');
  assert.ok(delta('voicebot_event_log_lag_seconds_count') >= 5);
  assert.ok(now.value('voicebot_http_responses_total', { status: '404' }) >= 1);

  // A flood trips the per-socket token bucket (30, refilled at 1/s): counted as rate-limit hits.
  for (let i = 0; i < 60; i++) alice.send({ type: 'ping', id: `p${i}` });
  await alice.waitFor((frame) => frame.type === 'error' && frame.data.code === 'rate_limited');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const flooded = await scrape(server);
  assert.ok(flooded.value('voicebot_rate_limit_hits_total', { transport: 'ws' }) >= 20);
  assert.ok(flooded.value('voicebot_errors_total', { code: 'rate_limited' }) >= 20);

  alice.close();
  bob.close();
});

test('METRICS_PUBLIC=true serves /metrics without a token', async () => {
  const open = await startServer({ env: { METRICS_PUBLIC: 'true' } });
  try {
    const exposition = await scrape(open, undefined);
    assert.equal(exposition.value('voicebot_build_info', {}), 1);
  } finally {
    await open.stop();
  }
});

test('the Grafana dashboard and docs/operations.md name only exposed metrics; operations.md lists every setting', async () => {
  const exposed = await scrape(server);
  const known = (name: string): boolean => {
    if (exposed.types.has(name)) return true;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && exposed.types.get(base) === 'histogram';
  };
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((panel: any) =>
    (panel.targets ?? []).map((t: any) => t.expr),
  );
  assert.ok(exprs.length >= 20);
  for (const expr of exprs) {
    const names = expr.match(/voicebot_[a-z0-9_]+/g) ?? [];
    assert.ok(names.length > 0, expr);
    for (const name of names) assert.ok(known(name), `dashboard metric ${name} is exposed`);
  }
  const operations = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  for (const name of operations.match(/voicebot_[a-z0-9_]+[a-z0-9]/g) ?? [])
    if (!/^voicebot_(process|nodejs)$/.test(name))
      assert.ok(known(name), `documented metric ${name} is exposed`);
  for (const family of exposed.types.keys())
    if (!/^voicebot_(process|nodejs)_/.test(family))
      assert.ok(
        operations.includes(`\`${family}`) ||
          operations.includes(`${family}\``) ||
          operations.includes(`, \`${family}`),
        `${family} is documented`,
      );
  for (const key of Object.keys(SETTINGS))
    assert.ok(operations.includes(`| \`${key}\` |`), `setting ${key} is documented`);
});

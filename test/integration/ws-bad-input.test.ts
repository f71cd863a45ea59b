/** Hostile and malformed frames get a specific error code and leave the connection and others unaffected. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, newSession, TestClient } from '../helpers/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
let lobbyId: string;
before(async () => {
  server = await startServer({
    env: {
      WS_RATE_BURST: '20',
      WS_RATE_REFILL_PER_SEC: '5',
      WS_ABUSE_LIMIT: '30',
      HEARTBEAT_TIMEOUT_MS: '1500',
    },
  });
  const { token } = await newSession(server.url);
  lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Bad input' } })).body.lobby
    .id;
});
after(() => server.stop());

async function connected(): Promise<TestClient> {
  const { token } = await newSession(server.url);
  const client = await TestClient.connect(server.wsUrl, token);
  await client.waitFor('welcome');
  return client;
}

test('non-JSON, non-object, unknown type, bad envelope and bad data each get their code; the socket stays up', async () => {
  const client = await connected();
  const cases: [unknown, string][] = [
    ['{not json', 'invalid_json'],
    ['[1,2]', 'invalid_frame'],
    ['"text"', 'invalid_frame'],
    [{ id: 'a1' }, 'invalid_frame'],
    [{ type: 42, id: 'a2' }, 'invalid_frame'],
    [{ type: 'fly', id: 'a3' }, 'unknown_type'],
    [{ type: 'ping', id: 'a4', extra: true }, 'invalid_frame'],
    [{ type: 'set_name', id: 'a5' }, 'invalid_frame'],
    [{ type: 'set_name', id: 'a6', data: { name: 5 } }, 'invalid_frame'],
    [{ type: 'set_name', id: 'a7', data: { name: 'Ok', admin: true } }, 'invalid_frame'],
    [
      {
        type: 'relay_ice',
        id: 'a8',
        data: { lobby_id: lobbyId, peer_id: 'x', candidate: { candidate: 'c', evil: 1 } },
      },
      'invalid_frame',
    ],
    [{ type: 'get_chat', id: 'a9', data: { lobby_id: lobbyId, limit: 5000 } }, 'invalid_frame'],
  ];
  for (const [frame, code] of cases) {
    const reply = client.next('error');
    client.send(frame);
    const error = await reply;
    assert.equal(error.data.code, code, `for ${JSON.stringify(frame)}`);
    assert.equal(typeof error.data.message, 'string');
    if (typeof frame === 'object' && frame && 'id' in frame && typeof (frame as any).type !== 'number') {
      assert.equal(error.id, (frame as { id: string }).id);
    }
  }
  const binary = client.next('error');
  client.socket.send(Buffer.from([1, 2, 3]));
  assert.equal((await binary).data.code, 'invalid_frame');
  assert.equal((await client.request('ping')).type, 'pong');
  client.close();
});

test('a frame over 64 KiB closes the socket with 1009; others are unaffected', async () => {
  const bystander = await connected();
  const client = await connected();
  client.send({ type: 'ping', data: {}, id: 'x'.repeat(70 * 1024) });
  assert.equal(await client.waitClose(), 1009);
  assert.equal((await bystander.request('ping')).type, 'pong');
  bystander.close();
});

test('a flood gets rate_limited errors, then persistent abuse closes with 4008', async () => {
  const bystander = await connected();
  const client = await connected();
  for (let i = 0; i < 25; i++) client.send({ type: 'ping', id: `p${i}` });
  const limited = await client.waitFor(
    (frame) => frame.type === 'error' && frame.data.code === 'rate_limited',
  );
  assert.ok(limited);
  assert.ok(client.ofType('pong').length >= 19, 'the burst itself is served');
  assert.equal(client.closeCode, null, 'a short flood only gets errors');
  for (let i = 0; i < 60; i++) client.send({ type: 'ping' });
  assert.equal(await client.waitClose(), 4008);
  assert.equal((await bystander.request('ping')).type, 'pong');
  bystander.close();
});

test('a peer that stops answering pings is dropped after the heartbeat timeout', async () => {
  const client = await connected();
  // Stop answering pings (ws answers them automatically unless we pause the socket).
  (client.socket as any)._socket.pause();
  const connections = async () =>
    (await api(server.url, 'GET', '/api/system/health')).body.statistics.connections;
  assert.equal(await connections(), 1);
  const deadline = Date.now() + 8000;
  while ((await connections()) !== 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(await connections(), 0, 'the silent socket was dropped by the server');
  client.socket.terminate();
});

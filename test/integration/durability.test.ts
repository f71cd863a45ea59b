/**
 * What survives: a SIGKILL in the middle of a chat burst loses no acknowledged message; sessions,
 * names and lobbies persist across restarts; SIGTERM closes sockets with 1001 and exits 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, newSession, TestClient } from '../helpers/client.ts';
import { startServer, tempDataDir } from '../helpers/server.ts';

test('SIGKILL during a chat burst: every message that reached a client is stored after restart', async () => {
  const dataDir = tempDataDir();
  const server = await startServer({ dataDir });
  const { token } = await newSession(server.url);
  const lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Crash' } })).body
    .lobby.id;
  const sender = await TestClient.joined(server, 'Sender', lobbyId);
  const listener = await TestClient.joined(server, 'Listener', lobbyId);

  // Fire a burst without waiting, and kill the server while it is being processed.
  for (let i = 0; i < 150; i++)
    sender.send({ type: 'send_chat', id: `m${i}`, data: { lobby_id: lobbyId, text: `burst ${i}` } });
  await listener.waitFor((frame) => frame.type === 'chat_message' && frame.data.text === 'burst 20');
  await server.kill();
  await new Promise((resolve) => setTimeout(resolve, 100));

  const acknowledged = new Set<string>();
  for (const frame of [...sender.frames, ...listener.frames])
    if (frame.type === 'chat_message') acknowledged.add(frame.data.id);
  assert.ok(acknowledged.size >= 21, `${acknowledged.size} messages acknowledged before the kill`);

  const restarted = await startServer({ dataDir, port: server.port });
  try {
    const stored = new Set<string>();
    let before: string | undefined;
    for (;;) {
      const page = await api(
        restarted.url,
        'GET',
        `/api/lobbies/${lobbyId}/chat?limit=200${before ? `&before=${before}` : ''}`,
      );
      for (const message of page.body.messages) stored.add(message.id);
      if (page.body.messages.length < 200) break;
      before = page.body.messages[0].id;
    }
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], 'no acknowledged message is lost');
  } finally {
    await restarted.stop();
  }
});

test('sessions, names and lobbies persist across a restart; SIGTERM closes sockets with 1001 and exits 0', async () => {
  const dataDir = tempDataDir();
  const server = await startServer({ dataDir });
  const { id, token } = await newSession(server.url);
  const lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Persistent' } }))
    .body.lobby.id;
  const client = await TestClient.joined(server, 'Persisted Name', lobbyId);
  await client.request('set_name', { name: 'Persisted Name', password: 'a good password' }, 'name_set');
  const closed = client.waitClose();
  const exitCode = await server.stop();
  assert.equal(await closed, 1001);
  assert.equal(exitCode, 0);

  const restarted = await startServer({ dataDir, port: server.port });
  try {
    const me = await api(restarted.url, 'GET', '/api/sessions/me', { token: client.token });
    assert.equal(me.status, 200);
    assert.equal(me.body.session.name, 'Persisted Name');
    assert.equal(me.body.session.protected, true);
    const creator = await api(restarted.url, 'GET', '/api/sessions/me', { token });
    assert.equal(creator.body.session.id, id);
    const lobby = await api(restarted.url, 'GET', `/api/lobbies/${lobbyId}`);
    assert.equal(lobby.body.lobby.name, 'Persistent');
    const health = (await api(restarted.url, 'GET', '/api/system/health')).body;
    assert.equal(health.statistics.protected_names, 1);
    assert.equal(health.statistics.sessions, 2);
  } finally {
    await restarted.stop();
  }
});

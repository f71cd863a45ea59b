/** Logs are one JSON line per request/connection event and never contain a token or a password. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, newSession, TestClient } from '../helpers/client.ts';
import { startServer } from '../helpers/server.ts';

test('no token, password or admin token appears in the log output', async () => {
  const server = await startServer({ env: { LOG_LEVEL: 'trace' } });
  const secrets: string[] = [server.adminToken];
  try {
    const { token } = await newSession(server.url);
    secrets.push(token);
    const lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Logged' } })).body
      .lobby.id;
    await api(server.url, 'GET', '/api/sessions/me', { token });
    await api(server.url, 'GET', `/api/sessions/me?token=${token}`, { token });
    const client = await TestClient.connect(server.wsUrl, token);
    await client.waitFor('welcome');
    const password = 'my very secret password';
    secrets.push(password);
    await client.request('set_name', { name: 'Logger', password }, 'name_set');
    await client.request('join_lobby', { lobby_id: lobbyId }, 'lobby_joined');
    client.send('{"type":"set_name","data":{"name":"x","password":"' + password + '"');
    await client.next('error');
    const bad = await TestClient.connect(server.wsUrl, 'wrong-token-value-123');
    secrets.push('wrong-token-value-123');
    await bad.waitClose();
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await server.stop();
  }
  const logs = server.logs();
  const lines = logs.split('\n').filter((line) => line.startsWith('{'));
  assert.ok(lines.length >= 8, `expected log lines, got ${lines.length}`);
  for (const line of lines) JSON.parse(line);
  assert.ok(lines.some((line) => line.includes('"ws connected"')));
  assert.ok(
    lines.some(
      (line) => line.includes('"http request"') && line.includes('/api/sessions/me?token=[redacted]'),
    ),
  );
  for (const secret of secrets) assert.equal(logs.includes(secret), false, `a secret leaked into the logs`);
});

/** Section 1 over real HTTP: health, sessions, lobbies, chat, and each error code. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, newSession } from '../helpers/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
before(async () => {
  server = await startServer({ env: { SESSION_CREATE_PER_MIN: '40' } });
});
after(() => server.stop());

test('health document has the seed shape with real counts', async () => {
  const before = (await api(server.url, 'GET', '/api/system/health')).body;
  assert.deepEqual(Object.keys(before).slice(0, 5), [
    'status',
    'architecture',
    'version',
    'managers',
    'statistics',
  ]);
  assert.equal(before.status, 'ok');
  assert.equal(before.architecture, 'modular');
  assert.equal(before.version, '2.0.0');
  assert.deepEqual(before.managers, {
    session_manager: 'active',
    lobby_manager: 'active',
    auth_manager: 'active',
    websocket_manager: 'active',
  });
  const { token } = await newSession(server.url);
  await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Health check room' } });
  const after = (await api(server.url, 'GET', '/api/system/health')).body;
  assert.equal(after.statistics.sessions, before.statistics.sessions + 1);
  assert.equal(after.statistics.lobbies, before.statistics.lobbies + 1);
  assert.equal(typeof after.statistics.protected_names, 'number');
});

test('sessions: create, me, and 401 for a bad token', async () => {
  const created = await api(server.url, 'POST', '/api/sessions');
  assert.equal(created.status, 201);
  assert.match(created.body.token, /^[A-Za-z0-9_-]{43}$/, '256-bit token');
  assert.deepEqual(Object.keys(created.body.session).sort(), [
    'created_at',
    'id',
    'is_bot',
    'name',
    'protected',
  ]);
  const me = await api(server.url, 'GET', '/api/sessions/me', { token: created.body.token });
  assert.equal(me.status, 200);
  assert.deepEqual(me.body.session, created.body.session);
  for (const token of [undefined, 'wrong']) {
    const denied = await api(server.url, 'GET', '/api/sessions/me', { token });
    assert.equal(denied.status, 401);
    assert.equal(denied.body.error.code, 'unauthorized');
  }
});

test('public lobbies are create-or-get by name, case-insensitively; private ones are unlisted and unguessable', async () => {
  const { token } = await newSession(server.url);
  const first = await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Main Hall' } });
  assert.equal(first.status, 201);
  assert.equal(first.body.lobby.private, false);
  const again = await api(server.url, 'POST', '/api/lobbies', { token, body: { name: '  main hall ' } });
  assert.equal(again.status, 200);
  assert.equal(again.body.lobby.id, first.body.lobby.id);

  const secret = await api(server.url, 'POST', '/api/lobbies', {
    token,
    body: { name: 'Main Hall', private: true },
  });
  assert.equal(secret.status, 201);
  assert.notEqual(secret.body.lobby.id, first.body.lobby.id);
  assert.ok(Buffer.from(secret.body.lobby.id, 'base64url').length >= 16, 'at least 128 random bits');

  const list = await api(server.url, 'GET', '/api/lobbies');
  const listed = list.body.lobbies.filter((lobby: any) => lobby.name === 'Main Hall');
  assert.equal(listed.length, 1);
  assert.deepEqual(Object.keys(listed[0]).sort(), ['created_at', 'id', 'name', 'participants', 'private']);
  assert.equal(listed[0].participants, 0);
  assert.equal(
    list.body.lobbies.some((lobby: any) => lobby.id === secret.body.lobby.id),
    false,
  );

  const detail = await api(server.url, 'GET', `/api/lobbies/${secret.body.lobby.id}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(detail.body.lobby.participants, []);
});

test('lobby errors: 401 without a session, invalid names, unknown fields, unknown ids', async () => {
  const { token } = await newSession(server.url);
  const cases: [Parameters<typeof api>[3], number, string][] = [
    [{ body: { name: 'No auth' } }, 401, 'unauthorized'],
    [{ token, body: { name: '' } }, 400, 'invalid_lobby_name'],
    [{ token, body: { name: 'x'.repeat(65) } }, 400, 'invalid_lobby_name'],
    [{ token, body: { name: 'tab\there' } }, 400, 'invalid_lobby_name'],
    [{ token, body: { name: 'Extra', owner: 'me' } }, 400, 'invalid_request'],
    [{ token, body: { name: 7 } }, 400, 'invalid_request'],
    [{ token, body: { name: 'Str', private: 'yes' } }, 400, 'invalid_request'],
    [{ token, rawBody: '{"name":' }, 400, 'invalid_json'],
    [{ token, rawBody: JSON.stringify({ name: 'x'.repeat(70_000) }) }, 413, 'payload_too_large'],
  ];
  for (const [options, status, code] of cases) {
    const response = await api(server.url, 'POST', '/api/lobbies', options);
    assert.equal(response.status, status, JSON.stringify(options).slice(0, 80));
    assert.equal(response.body.error.code, code);
    assert.equal(typeof response.body.error.message, 'string');
  }
  const missing = await api(server.url, 'GET', '/api/lobbies/does-not-exist');
  assert.deepEqual([missing.status, missing.body.error.code], [404, 'unknown_lobby']);
  const badQuery = await api(server.url, 'GET', `/api/lobbies/does-not-exist/chat?limit=0`);
  assert.deepEqual([badQuery.status, badQuery.body.error.code], [400, 'invalid_request']);
  const noRoute = await api(server.url, 'GET', '/api/nothing-here');
  assert.deepEqual([noRoute.status, noRoute.body.error.code], [404, 'not_found']);
});

test('session creation is rate limited per address', async () => {
  let limited = 0;
  for (let i = 0; i < 45; i++) {
    const response = await api(server.url, 'POST', '/api/sessions');
    if (response.status === 429) {
      assert.equal(response.body.error.code, 'rate_limited');
      limited++;
    }
  }
  assert.ok(limited > 0, 'some requests were refused');
});

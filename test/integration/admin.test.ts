/** The admin API over real HTTP: every endpoint, its errors, and what its actions do to sockets. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, newSession, TestClient } from '../helpers/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
const admin = (method: string, path: string, body?: unknown) =>
  api(server.url, method, path, { token: server.adminToken, ...(body !== undefined && { body }) });

before(async () => {
  server = await startServer({ env: { RECONNECT_GRACE_MS: '200' } });
});
after(() => server.stop());

async function lobby(name: string): Promise<string> {
  const { token } = await newSession(server.url);
  return (await api(server.url, 'POST', '/api/lobbies', { token, body: { name } })).body.lobby.id;
}

describe('admin auth', () => {
  test('missing or wrong token is 401 on every admin path, known or not', async () => {
    for (const path of [
      '/api/admin/sessions',
      '/api/admin/sessions/nope',
      '/api/admin/nothing',
      '/api/admin/events',
    ]) {
      for (const token of [undefined, 'wrong-token-wrong-token']) {
        const response = await api(server.url, 'GET', path, { token });
        assert.equal(response.status, 401, path);
        assert.equal(response.body.error.code, 'admin_required');
      }
    }
  });

  test('too many wrong tokens from one address are rate limited', async () => {
    const limitedServer = await startServer();
    try {
      const codes: number[] = [];
      for (let i = 0; i < 12; i++)
        codes.push(
          (await api(limitedServer.url, 'GET', '/api/admin/sessions', { token: `bad-${i}` })).status,
        );
      assert.deepEqual(codes.slice(0, 10), Array(10).fill(401));
      assert.deepEqual(codes.slice(10), [429, 429]);
      const right = await api(limitedServer.url, 'GET', '/api/admin/sessions', {
        token: limitedServer.adminToken,
      });
      assert.equal(right.status, 429, 'even the right token waits out the block');
    } finally {
      await limitedServer.stop();
    }
  });
});

describe('sessions', () => {
  test('list shows connection state and lobbies; kick closes with 4003 and removes the session', async () => {
    const lobbyId = await lobby('Admin room');
    const alice = await TestClient.joined(server, 'Alice-adm', lobbyId);
    const bob = await TestClient.joined(server, 'Bob-adm', lobbyId);
    const list = await admin('GET', '/api/admin/sessions');
    const entry = list.body.sessions.find((session: any) => session.id === alice.sessionId);
    assert.deepEqual(
      { ...entry, created_at: typeof entry.created_at, last_seen_at: typeof entry.last_seen_at },
      {
        id: alice.sessionId,
        name: 'Alice-adm',
        is_bot: false,
        connected: true,
        lobby_ids: [lobbyId],
        created_at: 'string',
        last_seen_at: 'string',
      },
    );
    assert.equal(JSON.stringify(list.body).includes(alice.token), false, 'no token in listings');

    const kicked = await admin('DELETE', `/api/admin/sessions/${alice.sessionId}`);
    assert.equal(kicked.status, 204);
    const frame = await alice.waitFor('kicked');
    assert.deepEqual(frame.data, { reason: 'kicked', banned: false });
    assert.equal(await alice.waitClose(), 4003);
    assert.equal((await bob.waitFor('participant_left')).data.session_id, alice.sessionId);
    assert.equal((await api(server.url, 'GET', '/api/sessions/me', { token: alice.token })).status, 401);
    // A kick is not a ban: a new session is welcome.
    const again = await TestClient.joined(server, 'Alice-adm', lobbyId);
    again.close();
    bob.close();

    const missing = await admin('DELETE', '/api/admin/sessions/nope');
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'unknown_session']);
  });

  test('cleanup removes idle sessions, never a connected one', async () => {
    const idle = await newSession(server.url);
    const online = await newSession(server.url);
    const client = await TestClient.connect(server.wsUrl, online.token);
    await client.waitFor('welcome');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = await admin('POST', '/api/admin/sessions/cleanup', { max_idle_seconds: 1 });
    assert.equal(result.status, 200);
    assert.ok(result.body.removed >= 1);
    assert.equal((await api(server.url, 'GET', '/api/sessions/me', { token: idle.token })).status, 401);
    assert.equal((await api(server.url, 'GET', '/api/sessions/me', { token: online.token })).status, 200);
    const bad = await admin('POST', '/api/admin/sessions/cleanup', { max_idle_seconds: 'soon' });
    assert.deepEqual([bad.status, bad.body.error.code], [400, 'invalid_request']);
    client.close();
  });
});

test('names: list protected names and clear a password', async () => {
  const { token } = await newSession(server.url);
  const client = await TestClient.connect(server.wsUrl, token);
  await client.waitFor('welcome');
  await client.request('set_name', { name: 'Locked Name', password: 'password-123' }, 'name_set');
  const names = await admin('GET', '/api/admin/names');
  const entry = names.body.names.find((name: any) => name.name === 'Locked Name');
  assert.ok(entry && typeof entry.protected_at === 'string');
  assert.equal(JSON.stringify(names.body).includes('scrypt'), false, 'no hashes in listings');
  assert.equal(
    (await admin('DELETE', `/api/admin/names/${encodeURIComponent('locked name')}/password`)).status,
    204,
  );
  assert.equal(
    (await admin('GET', '/api/admin/names')).body.names.some((name: any) => name.name === 'Locked Name'),
    false,
  );
  const missing = await admin('DELETE', '/api/admin/names/nobody/password');
  assert.deepEqual([missing.status, missing.body.error.code], [404, 'unknown_name']);
  client.close();
});

test('lobby delete: participants get lobby_closed, the lobby is gone', async () => {
  const lobbyId = await lobby('Doomed room');
  const alice = await TestClient.joined(server, 'Alice-del', lobbyId);
  assert.equal((await admin('DELETE', `/api/admin/lobbies/${lobbyId}`)).status, 204);
  assert.deepEqual((await alice.waitFor('lobby_closed')).data, {
    lobby_id: lobbyId,
    reason: 'closed by the operator',
  });
  assert.equal((await api(server.url, 'GET', `/api/lobbies/${lobbyId}`)).status, 404);
  const again = await admin('DELETE', `/api/admin/lobbies/${lobbyId}`);
  assert.deepEqual([again.status, again.body.error.code], [404, 'unknown_lobby']);
  alice.close();
});

test('events page through the log with after/limit and hold no secrets', async () => {
  const first = await admin('GET', '/api/admin/events?limit=5');
  assert.equal(first.status, 200);
  assert.deepEqual(
    first.body.events.map((event: any) => event.seq),
    [1, 2, 3, 4, 5],
  );
  assert.equal(first.body.next_after, 5);
  const second = await admin('GET', `/api/admin/events?after=${first.body.next_after}&limit=1000`);
  const seqs = second.body.events.map((event: any) => event.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_: number, index: number) => index + 6),
    'gap-free',
  );
  const types = new Set(second.body.events.map((event: any) => event.type));
  for (const type of [
    'session.created',
    'session.connected',
    'lobby.joined',
    'admin.action',
    'name.protected',
  ])
    assert.ok(types.has(type) || first.body.events.some((event: any) => event.type === type), type);
  assert.equal(JSON.stringify(second.body).includes('password-123'), false);
  const end = await admin('GET', `/api/admin/events?after=${second.body.next_after}`);
  assert.ok(end.body.events.every((event: any) => event.seq > second.body.next_after));
  assert.equal(end.body.next_after, end.body.events.at(-1)?.seq ?? second.body.next_after);
  const bad = await admin('GET', '/api/admin/events?after=-1');
  assert.deepEqual([bad.status, bad.body.error.code], [400, 'invalid_request']);
});

describe('bans', () => {
  test('a name ban kicks the holder (banned) and stops anyone taking the name; removal lifts it', async () => {
    const lobbyId = await lobby('Ban room');
    const target = await TestClient.joined(server, 'Troll', lobbyId);
    const created = await admin('POST', '/api/admin/bans', { name: 'troll', reason: 'spam' });
    assert.equal(created.status, 201);
    assert.equal(created.body.ban.name, 'troll');
    assert.deepEqual((await target.waitFor('kicked')).data, { reason: 'spam', banned: true });
    assert.equal(await target.waitClose(), 4003);

    const { token } = await newSession(server.url);
    const other = await TestClient.connect(server.wsUrl, token);
    await other.waitFor('welcome');
    assert.equal((await other.request('set_name', { name: 'TROLL' })).data.code, 'banned');
    const listed = await admin('GET', '/api/admin/bans');
    assert.ok(listed.body.bans.some((ban: any) => ban.id === created.body.ban.id));
    assert.equal((await admin('DELETE', `/api/admin/bans/${created.body.ban.id}`)).status, 204);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the kicked holder's grace window
    assert.equal((await other.request('set_name', { name: 'TROLL' })).type, 'name_set');
    const missing = await admin('DELETE', `/api/admin/bans/${created.body.ban.id}`);
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'unknown_ban']);
    other.close();
  });

  test('a session ban refuses its socket; an IP ban refuses new sessions; expired bans do not apply', async () => {
    const victim = await newSession(server.url);
    const ban = await admin('POST', '/api/admin/bans', { session_id: victim.id, reason: 'abuse' });
    const socket = await TestClient.connect(server.wsUrl, victim.token);
    assert.deepEqual((await socket.waitFor('kicked')).data, { reason: 'Banned: abuse', banned: true });
    assert.equal(await socket.waitClose(), 4003);
    await admin('DELETE', `/api/admin/bans/${ban.body.ban.id}`);

    const expired = await admin('POST', '/api/admin/bans', {
      ip: '127.0.0.1',
      reason: 'old',
      expires_at: '2020-01-01T00:00:00Z',
    });
    assert.equal((await api(server.url, 'POST', '/api/sessions')).status, 201);
    const ipBan = await admin('POST', '/api/admin/bans', { ip: '127.0.0.1', reason: 'flood' });
    const refused = await api(server.url, 'POST', '/api/sessions');
    assert.deepEqual([refused.status, refused.body.error.code], [403, 'banned']);
    await admin('DELETE', `/api/admin/bans/${ipBan.body.ban.id}`);
    await admin('DELETE', `/api/admin/bans/${expired.body.ban.id}`);
    assert.equal((await api(server.url, 'POST', '/api/sessions')).status, 201);

    for (const body of [
      { reason: 'nothing to ban' },
      { name: 'x', reason: '' },
      { name: 'x', reason: 'r', extra: 1 },
      { ip: '1.2.3.4', reason: 'r', expires_at: 'tomorrow' },
    ]) {
      const bad = await admin('POST', '/api/admin/bans', body);
      assert.deepEqual([bad.status, bad.body.error.code], [400, 'invalid_request'], JSON.stringify(body));
    }
  });
});

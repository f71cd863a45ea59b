/**
 * The bot provider protocol (PROTOCOL.md section 3) with a minimal provider written against the
 * wire contract: register, spawn → the bot joins as an is_bot session, despawn, provider loss.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, newSession, TestClient, type Frame } from '../helpers/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const KEY = 'provider-key-for-tests-0123456789';
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { BOT_PROVIDER_KEY: KEY, LOBBY_MAX_PARTICIPANTS: '3' } });
});
after(() => server.stop());

async function provider(bots = [{ name: 'parrot', description: 'repeats', capabilities: ['chat'] }]) {
  const socket = await TestClient.connect(server.wsUrl, KEY, '/ws/providers').catch(() => null);
  assert.ok(socket);
  const registered = await socket.request('register', { provider: 'test-provider', bots }, 'registered');
  assert.deepEqual(registered.data, { provider: 'test-provider', bots: bots.map((bot) => bot.name) });
  return socket;
}

/** What a provider does with a spawn: join the lobby as the bot, then say spawned. */
async function runBot(providerSocket: TestClient, spawn: Frame): Promise<TestClient> {
  const bot = await TestClient.connect(server.wsUrl, spawn.data.token);
  const welcome = await bot.waitFor('welcome');
  assert.equal(welcome.data.session.is_bot, true);
  assert.equal(welcome.data.session.name, spawn.data.name);
  await bot.request('join_lobby', { lobby_id: spawn.data.lobby_id }, 'lobby_joined');
  providerSocket.send({
    type: 'spawned',
    data: { request_id: spawn.data.request_id, session_id: welcome.data.session.id },
  });
  return bot;
}

test('a wrong provider key closes with 4001', async () => {
  const wrong = await TestClient.connect(server.wsUrl, 'not-the-key', '/ws/providers');
  assert.equal(await wrong.waitClose(), 4001);
});

test('register, list, spawn into a lobby, despawn, and provider loss', async () => {
  const source = await provider();
  assert.deepEqual((await api(server.url, 'GET', '/api/bots')).body.bots, [
    { name: 'parrot', description: 'repeats', provider: 'test-provider', capabilities: ['chat'] },
  ]);

  const { token } = await newSession(server.url);
  const lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Bot room' } })).body
    .lobby.id;
  const human = await TestClient.joined(server, 'Human', lobbyId);

  const spawnFrame = source.next('spawn');
  const added = await api(server.url, 'POST', `/api/lobbies/${lobbyId}/bots`, {
    token: human.token,
    body: { bot: 'parrot' },
  });
  assert.equal(added.status, 202);
  assert.equal(added.body.name, 'Parrot');
  const spawn = await spawnFrame;
  assert.equal(spawn.data.bot, 'parrot');
  assert.equal(spawn.data.lobby_id, lobbyId);
  const bot = await runBot(source, spawn);
  const peer = await human.waitFor(
    (frame) => frame.type === 'add_peer' && frame.data.peer_id === added.body.session_id,
  );
  assert.equal(peer.data.is_bot, true);
  assert.equal((await human.waitFor('participant_joined')).data.participant.is_bot, true);

  // A second one gets a distinct name; the admin may add one too.
  const second = await api(server.url, 'POST', `/api/lobbies/${lobbyId}/bots`, {
    token: server.adminToken,
    body: { bot: 'parrot' },
  });
  assert.deepEqual([second.status, second.body.name], [202, 'Parrot 2']);
  const bot2 = await runBot(
    source,
    await source.waitFor((frame) => frame.type === 'spawn' && frame.data.name === 'Parrot 2'),
  );

  // Errors.
  const cases: [string, unknown, string | undefined, number, string][] = [
    [lobbyId, { bot: 'nothing' }, human.token, 404, 'unknown_bot'],
    [lobbyId, { bot: 'parrot' }, human.token, 409, 'lobby_full'],
    ['no-such-lobby', { bot: 'parrot' }, human.token, 404, 'unknown_lobby'],
    [lobbyId, { bot: 'parrot' }, undefined, 401, 'unauthorized'],
    [lobbyId, { bot: 'parrot' }, token, 403, 'not_in_lobby'],
    [lobbyId, { bot: 'parrot', extra: 1 }, human.token, 400, 'invalid_request'],
  ];
  for (const [lobby, body, auth, status, code] of cases) {
    const response = await api(server.url, 'POST', `/api/lobbies/${lobby}/bots`, { token: auth, body });
    assert.deepEqual([response.status, response.body.error?.code], [status, code], JSON.stringify(body));
  }

  // Despawn: the provider is told, the bot's socket is closed, the others see it leave.
  const despawn = source.next('despawn');
  const removed = await api(server.url, 'DELETE', `/api/lobbies/${lobbyId}/bots/${added.body.session_id}`, {
    token: human.token,
  });
  assert.equal(removed.status, 204);
  assert.deepEqual((await despawn).data, { session_id: added.body.session_id });
  assert.equal(await bot.waitClose(), 4003);
  await human.waitFor(
    (frame) => frame.type === 'participant_left' && frame.data.session_id === added.body.session_id,
  );
  const again = await api(server.url, 'DELETE', `/api/lobbies/${lobbyId}/bots/${added.body.session_id}`, {
    token: human.token,
  });
  assert.deepEqual([again.status, again.body.error.code], [404, 'unknown_session']);

  // The provider goes away: its bots leave their lobbies and the bot list.
  source.close();
  assert.equal(await bot2.waitClose(), 4003);
  await human.waitFor(
    (frame) => frame.type === 'participant_left' && frame.data.session_id === second.body.session_id,
  );
  assert.deepEqual((await api(server.url, 'GET', '/api/bots')).body.bots, []);

  const events = await api(server.url, 'GET', '/api/admin/events?limit=1000', { token: server.adminToken });
  const types = events.body.events.map((event: any) => event.type);
  assert.equal(types.filter((type: string) => type === 'bot.spawned').length, 2);
  assert.equal(types.filter((type: string) => type === 'bot.removed').length, 2);
  assert.equal(
    JSON.stringify(events.body).includes(spawn.data.token),
    false,
    'bot tokens never reach the event log',
  );
  human.close();
});

test('spawn_failed removes the bot session; malformed provider frames get errors', async () => {
  const source = await provider([{ name: 'flaky', description: 'fails', capabilities: [] }]);
  const bad = source.next('error');
  source.send({
    type: 'register',
    data: { provider: 'x', bots: [{ name: 'b', description: 'd', capabilities: ['fly'] }] },
  });
  assert.equal((await bad).data.code, 'invalid_frame');
  const { token } = await newSession(server.url);
  const lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Flaky room' } }))
    .body.lobby.id;
  const human = await TestClient.joined(server, 'Human2', lobbyId);
  const spawnFrame = source.next('spawn');
  const added = await api(server.url, 'POST', `/api/lobbies/${lobbyId}/bots`, {
    token: human.token,
    body: { bot: 'flaky' },
  });
  const spawn = await spawnFrame;
  source.send({
    type: 'spawn_failed',
    data: { request_id: spawn.data.request_id, code: 'crash', message: 'boom' },
  });
  for (let i = 0; i < 50; i++) {
    const sessions = await api(server.url, 'GET', '/api/admin/sessions', { token: server.adminToken });
    if (!sessions.body.sessions.some((session: any) => session.id === added.body.session_id)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const sessions = await api(server.url, 'GET', '/api/admin/sessions', { token: server.adminToken });
  assert.equal(
    sessions.body.sessions.some((session: any) => session.id === added.body.session_id),
    false,
  );
  const dead = await TestClient.connect(server.wsUrl, spawn.data.token);
  assert.equal(await dead.waitClose(), 4001, 'the failed bot token no longer works');
  source.close();
  human.close();
});

test('bot_ended: a bot that ended on its own leaves at once, with its reason in the event log', async () => {
  const source = await provider([{ name: 'brittle', description: 'crashes', capabilities: [] }]);
  const { token } = await newSession(server.url);
  const lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Brittle room' } }))
    .body.lobby.id;
  const human = await TestClient.joined(server, 'Human3', lobbyId);
  const spawnFrame = source.next('spawn');
  const added = await api(server.url, 'POST', `/api/lobbies/${lobbyId}/bots`, {
    token: human.token,
    body: { bot: 'brittle' },
  });
  const bot = await runBot(source, await spawnFrame);
  // The admin may kick a bot like any session.
  const other = await api(server.url, 'POST', `/api/lobbies/${lobbyId}/bots`, {
    token: human.token,
    body: { bot: 'brittle' },
  });
  const kickedBot = await runBot(
    source,
    await source.waitFor((frame) => frame.type === 'spawn' && frame.data.name === other.body.name),
  );
  const kick = await api(server.url, 'DELETE', `/api/admin/sessions/${other.body.session_id}`, {
    token: server.adminToken,
  });
  assert.equal(kick.status, 204);
  assert.equal(await kickedBot.waitClose(), 4003);
  assert.deepEqual(
    (
      await source.waitFor(
        (frame) => frame.type === 'despawn' && frame.data.session_id === other.body.session_id,
      )
    ).type,
    'despawn',
  );

  source.send({ type: 'bot_ended', data: { session_id: added.body.session_id, reason: 'crashed' } });
  await human.waitFor(
    (frame) => frame.type === 'participant_left' && frame.data.session_id === added.body.session_id,
  );

  // Closing the lobby sends its bots home.
  const thirdSpawn = source.next('spawn');
  const third = await api(server.url, 'POST', `/api/lobbies/${lobbyId}/bots`, {
    token: human.token,
    body: { bot: 'brittle' },
  });
  const thirdBot = await runBot(source, await thirdSpawn);
  assert.equal(
    (await api(server.url, 'DELETE', `/api/admin/lobbies/${lobbyId}`, { token: server.adminToken })).status,
    204,
  );
  assert.equal(await thirdBot.waitClose(), 4003);
  await source.waitFor(
    (frame) => frame.type === 'despawn' && frame.data.session_id === third.body.session_id,
  );
  await human.waitFor(
    (frame) => frame.type === 'participant_left' && frame.data.session_id === added.body.session_id,
  );
  assert.equal(await bot.waitClose(), 4003);
  const events = await api(server.url, 'GET', '/api/admin/events?limit=1000', { token: server.adminToken });
  const removed = events.body.events.find(
    (event: any) => event.type === 'bot.removed' && event.data.session_id === added.body.session_id,
  );
  assert.equal(removed.data.reason, 'crashed');
  source.close();
  human.close();
});

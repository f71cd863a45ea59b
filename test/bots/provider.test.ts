/**
 * Bot providers: one child process per bot, so a bot that throws or aborts its whole process is
 * removed from its lobby and reported, while the provider and the other bots go on; and the
 * provider protocol of PROTOCOL.md section 3 against the real server's `/ws/providers`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BotProvider } from '../../src/bots/provider.ts';
import { botCatalog } from '../../src/bots/registry.ts';
import { spawnSync } from 'node:child_process';
import { ROOT, startServer, type RunningServer } from '../helpers/server.ts';
import { sleep, speech48k, SENTENCES, waitFor } from './helpers.ts';
import { createLobby, createSession, WeriftHuman } from './lobby.ts';

const KEY = 'test-provider-key-0123456789abcdef';
const MODULES = ['./test/bots/fixtures/crashy-bots.ts'];
let server: RunningServer;

before(async () => {
  server = await startServer({ env: { BOT_PROVIDER_KEY: KEY } });
});
after(async () => {
  await server?.stop();
});

async function participants(
  lobbyId: string,
): Promise<{ session_id: string; name: string; is_bot: boolean }[]> {
  const response = await fetch(`${server.url}/api/lobbies/${lobbyId}`);
  return (
    (await response.json()) as {
      lobby: { participants: { session_id: string; name: string; is_bot: boolean }[] };
    }
  ).lobby.participants;
}

test('a bot that throws or aborts its process is removed and reported; the provider and other bots go on', async () => {
  const logs: string[] = [];
  const catalog = await botCatalog(MODULES);
  const provider = new BotProvider({
    serverUrl: server.url,
    key: KEY,
    bots: [...catalog.values()],
    modules: MODULES,
    log: (m) => logs.push(m),
  });
  const owner = await createSession(server.url);
  const lobbyId = await createLobby(server.url, owner.token, 'crash-lobby');
  const human = await WeriftHuman.join(server.url, lobbyId, 'Ann', owner);
  try {
    const started: Record<string, string> = {};
    for (const bot of ['thrower', 'aborter', 'echo']) {
      const { token } = await createSession(server.url);
      const t = Date.now();
      const instance = await provider.launch(catalog.get(bot)!, {
        request_id: bot,
        bot,
        lobby_id: lobbyId,
        name: `${bot}bot`,
        token,
      });
      started[bot] = instance.sessionId;
      console.log(`# ${bot}: own process, in the lobby ${Date.now() - t} ms after the spawn`);
    }
    await waitFor('all three bots in the lobby', async () => (await participants(lobbyId)).length === 4);

    await human.sendChat('please abort'); // aborter: SIGABRT of its whole process
    await human.sendChat('please crash'); // thrower: an exception in a hook
    await waitFor('both crashed bots gone from the lobby', async () => {
      const names = (await participants(lobbyId)).map((p) => p.name).sort();
      return names.join() === 'Ann,echobot';
    });
    assert.ok(
      logs.some((l) => /bot aborter .* CRASHED and was removed: bot process exited with SIGABRT/.test(l)),
      'the abort is in the provider log',
    );
    await waitFor(
      'both crashes reported',
      () => logs.filter((l) => / CRASHED and was removed/.test(l)).length === 2,
    );
    assert.ok(
      logs.some((l) => /bot thrower .* CRASHED and was removed: Error: thrower was told to crash/.test(l)),
      'the exception is in the provider log',
    );
    assert.deepEqual(
      [...provider.instances.values()].map((i) => i.bot),
      ['echo'],
    );

    // the surviving bot still works: it echoes speech
    await waitFor('media with echo', () => human.connectedTo(started.echo!), 10_000);
    await human.speak(await speech48k(SENTENCES.morning));
    await waitFor('the echo', () => human.utterances.some((u) => u.from === started.echo), 10_000);
    assert.ok(
      !logs.some((l) => /token/i.test(l) && /[A-Za-z0-9_-]{20,}/.test(l.split('token')[1] ?? '')),
      'no token in the logs',
    );
  } finally {
    await provider.stop();
    await human.close();
  }
  await sleep(200);
  assert.equal((await participants(lobbyId)).length, 1, 'stopping the provider took its bots out');
});

test('a provider with a wrong key is refused with 4001 and does not retry', async () => {
  const logs: string[] = [];
  const provider = new BotProvider({
    serverUrl: server.url,
    key: 'wrong-key-wrong-key-wrong',
    bots: [],
    log: (m) => logs.push(m),
  });
  await assert.rejects(provider.start(), /4001/);
  assert.deepEqual(await provider.closed, { reason: 'unauthorized' });
  assert.ok(!logs.join('\n').includes('wrong-key'), 'the key is never logged');
});

test('provider protocol: register, spawn through the API, despawn, leave on disconnect, come back on reconnect', async () => {
  const catalog = await botCatalog();
  const logs: string[] = [];
  const provider = new BotProvider({
    serverUrl: server.url,
    key: KEY,
    name: 'tests',
    bots: [...catalog.values()],
    log: (m) => logs.push(m),
  });
  await provider.start();
  const owner = await createSession(server.url);
  const lobbyId = await createLobby(server.url, owner.token, 'provider-lobby');
  const human = await WeriftHuman.join(server.url, lobbyId, 'Bea', owner);
  const auth = { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' };
  try {
    const list = (await (await fetch(`${server.url}/api/bots`)).json()) as {
      bots: { name: string; provider: string; capabilities: string[] }[];
    };
    for (const name of ['echo', 'announcer', 'transcriber', 'assistant']) {
      assert.ok(
        list.bots.some((b) => b.name === name && b.provider === 'tests'),
        `GET /api/bots lists ${name}`,
      );
    }
    const unknown = await fetch(`${server.url}/api/lobbies/${lobbyId}/bots`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ bot: 'nope' }),
    });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_bot');

    const added = await fetch(`${server.url}/api/lobbies/${lobbyId}/bots`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ bot: 'echo', name: 'Echo' }),
    });
    assert.equal(added.status, 202);
    const { session_id } = (await added.json()) as { session_id: string };
    const bot = await waitFor('the bot in the lobby', async () =>
      (await participants(lobbyId)).find((p) => p.session_id === session_id),
    );
    assert.equal(bot.is_bot, true);
    await waitFor('the provider to track the instance', () => provider.instances.has(session_id));

    const removed = await fetch(`${server.url}/api/lobbies/${lobbyId}/bots/${session_id}`, {
      method: 'DELETE',
      headers: { authorization: auth.authorization },
    });
    assert.equal(removed.status, 204);
    await waitFor(
      'the bot gone',
      async () => !(await participants(lobbyId)).some((p) => p.session_id === session_id),
    );
    await waitFor('the instance stopped', () => !provider.instances.has(session_id));

    // a provider that goes away takes its bots with it; it reconnects and registers again
    const again = await fetch(`${server.url}/api/lobbies/${lobbyId}/bots`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ bot: 'transcriber' }),
    });
    assert.equal(again.status, 202);
    const second = ((await again.json()) as { session_id: string }).session_id;
    await waitFor('the transcriber in the lobby', async () =>
      (await participants(lobbyId)).some((p) => p.session_id === second),
    );
    const registrations = provider.registrations;
    await server.stop(); // the server goes down: the provider keeps retrying
    server = await startServer({
      dataDir: server.dataDir,
      port: server.port,
      env: { BOT_PROVIDER_KEY: KEY },
    });
    await waitFor('the provider registered again', () => provider.registrations > registrations, 20_000);
    const relisted = (await (await fetch(`${server.url}/api/bots`)).json()) as { bots: { name: string }[] };
    assert.ok(relisted.bots.some((b) => b.name === 'assistant'));
  } finally {
    await provider.stop();
    await human.close();
  }
});

test('provider crash: the provider process (npm run provider) is killed, its bots leave and its bot processes exit', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/bots/provider-main.ts', '--server', server.url, '--name', 'crashing'],
    {
      cwd: ROOT,
      env: { ...process.env, BOT_PROVIDER_KEY: KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor('the provider registered', () => out.includes('registered echo'), 20_000);
    const owner = await createSession(server.url);
    const lobbyId = await createLobby(server.url, owner.token, 'provider-crash');
    const added = await fetch(`${server.url}/api/lobbies/${lobbyId}/bots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ bot: 'echo' }),
    });
    assert.equal(added.status, 202);
    const { session_id } = (await added.json()) as { session_id: string };
    await waitFor(
      'the bot in the lobby',
      async () => (await participants(lobbyId)).some((p) => p.session_id === session_id),
      20_000,
    );
    const botPid = await waitFor('the bot process', () => {
      const r = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' });
      return r.stdout.trim().split('\n').filter(Boolean).map(Number)[0];
    });
    child.kill('SIGKILL'); // the provider dies without a word
    await waitFor(
      'the bot gone from the lobby',
      async () => !(await participants(lobbyId)).some((p) => p.session_id === session_id),
      20_000,
    );
    await waitFor(
      'the orphaned bot process to exit',
      () => spawnSync('kill', ['-0', String(botPid)]).status !== 0,
      10_000,
    );
    const list = (await (await fetch(`${server.url}/api/bots`)).json()) as { bots: { provider: string }[] };
    assert.ok(!list.bots.some((b) => b.provider === 'crashing'), 'its bots left GET /api/bots');
    assert.ok(!out.includes(KEY), 'the key is never logged');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

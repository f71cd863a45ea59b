/** Name rules, uniqueness and password protection over the wire. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newSession, TestClient } from '../helpers/client.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
const open: TestClient[] = [];
before(async () => {
  server = await startServer({ env: { PASSWORD_ATTEMPTS: '3', RECONNECT_GRACE_MS: '300' } });
});
after(async () => {
  for (const client of open) client.close();
  await server.stop();
});

async function connected(): Promise<TestClient & { token: string }> {
  const { token } = await newSession(server.url);
  const client = await TestClient.connect(server.wsUrl, token);
  await client.waitFor('welcome');
  open.push(client);
  return Object.assign(client, { token });
}

const code = async (client: TestClient, data: unknown) => {
  const reply = await client.request('set_name', data);
  return reply.type === 'error' ? reply.data.code : reply.type;
};

test('invalid names and passwords', async () => {
  const client = await connected();
  for (const name of [
    '',
    '   ',
    'x'.repeat(33),
    'bad\u0000name',
    'zero\u200bwidth',
    'new\nline',
    'rtl\u202eoverride',
  ]) {
    assert.equal(await code(client, { name }), 'invalid_name', JSON.stringify(name));
  }
  assert.equal(await code(client, { name: 'Okay', password: 'short' }), 'invalid_password');
  assert.equal(await code(client, { name: 'Okay', password: 'x'.repeat(129) }), 'invalid_password');
  const ok = await client.request('set_name', { name: '  ' + 'é'.repeat(32) + ' ' }, 'name_set');
  assert.equal(ok.data.name, 'é'.repeat(32), 'trimmed; 32 characters allowed');
  // NFC: "e" + combining acute is the same name as "é".
  const other = await connected();
  assert.equal(await code(other, { name: 'e\u0301'.repeat(32) }), 'name_in_use');
});

test('names are unique case-insensitively among connected sessions and inside the grace window', async () => {
  const alice = await connected();
  await alice.request('set_name', { name: 'Zoë' }, 'name_set');
  const bob = await connected();
  assert.equal(await code(bob, { name: 'ZOË' }), 'name_in_use');
  alice.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(await code(bob, { name: 'zoë' }), 'name_in_use', 'still reserved inside the grace window');
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await code(bob, { name: 'zoë' }), 'name_set', 'free after the grace window');
  // Alice comes back: her name went to Bob, so she has none.
  const back = await TestClient.connect(server.wsUrl, alice.token);
  open.push(back);
  assert.equal((await back.waitFor('welcome')).data.session.name, null);
});

test('a password protects a name; only the password (or the owning session) takes it again', async () => {
  const owner = await connected();
  const claimed = await owner.request('set_name', { name: 'Keeper', password: 'correct horse' }, 'name_set');
  assert.deepEqual(claimed.data, { name: 'Keeper', protected: true });
  const me = await (
    await fetch(`${server.url}/api/sessions/me`, { headers: { authorization: `Bearer ${owner.token}` } })
  ).json();
  assert.equal(me.session.protected, true);
  assert.equal(
    (await owner.request('set_name', { name: 'keeper' }, 'name_set')).data.protected,
    true,
    'the owner needs no password',
  );

  // The owner moves to another name: Keeper stays protected.
  await owner.request('set_name', { name: 'Someone else' }, 'name_set');
  const thief = await connected();
  assert.equal(await code(thief, { name: 'KEEPER' }), 'name_protected');
  assert.equal(await code(thief, { name: 'Keeper', password: 'wrong password' }), 'name_protected');
  const taken = await thief.request('set_name', { name: 'Keeper', password: 'correct horse' }, 'name_set');
  assert.deepEqual(taken.data, { name: 'Keeper', protected: true });
});

test('failed password attempts are limited per name (too_many_attempts), even with the right password', async () => {
  const owner = await connected();
  await owner.request('set_name', { name: 'Vault', password: 'the real secret' }, 'name_set');
  await owner.request('set_name', { name: 'Vault owner away' }, 'name_set');
  const guesser = await connected();
  for (let i = 0; i < 3; i++)
    assert.equal(await code(guesser, { name: 'Vault', password: `guess number ${i}` }), 'name_protected');
  assert.equal(await code(guesser, { name: 'Vault', password: 'another guess' }), 'too_many_attempts');
  const honest = await connected();
  assert.equal(
    await code(honest, { name: 'Vault', password: 'the real secret' }),
    'too_many_attempts',
    'the name is locked for now',
  );
  assert.equal((await guesser.request('ping')).type, 'pong');
});

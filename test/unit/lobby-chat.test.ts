import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/server/core/errors.ts';
import type { SessionId } from '../../src/server/core/ids.ts';
import { createCore } from '../helpers/core.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
};

function named(core: ReturnType<typeof createCore>, name: string): SessionId {
  const { session } = core.sessions.create();
  core.sessions.connected(session.id, null);
  core.sessions.rename(session.id, name);
  return session.id;
}

test('create-or-get public lobbies, always-new private ones', () => {
  const core = createCore();
  const a = named(core, 'A');
  const first = core.lobbies.create('Lounge', false, a);
  const again = core.lobbies.create('LOUNGE', false, a);
  assert.equal(first.created, true);
  assert.equal(again.created, false);
  assert.equal(again.lobby.id, first.lobby.id);
  const hidden = core.lobbies.create('Lounge', true, a);
  assert.equal(hidden.created, true);
  assert.deepEqual(
    core.lobbies.listPublic().map((lobby) => lobby.id),
    [first.lobby.id],
  );
  assert.equal(
    codeOf(() => core.lobbies.create('', false, a)),
    'invalid_lobby_name',
  );
});

test('join, capacity, state, leave, and grace expiry leave all lobbies', () => {
  const core = createCore();
  const [a, b, c, d] = ['A', 'B', 'C', 'D'].map((name) => named(core, name)) as SessionId[];
  const { lobby } = core.lobbies.create('Room', false, a!);
  assert.equal(core.lobbies.join(lobby.id, a!).isNew, true);
  core.lobbies.join(lobby.id, b!);
  core.lobbies.join(lobby.id, c!);
  assert.equal(
    codeOf(() => core.lobbies.join(lobby.id, d!)),
    'lobby_full',
  );
  assert.equal(core.lobbies.join(lobby.id, a!).isNew, false, 're-join is not a new participant');
  assert.equal(
    codeOf(() => core.lobbies.join('missing', d!)),
    'unknown_lobby',
  );

  assert.deepEqual(core.lobbies.updateState(lobby.id, a!, { muted: true }), { muted: true, speaking: false });
  assert.equal(core.lobbies.updateState(lobby.id, a!, { muted: true }), null);
  assert.equal(core.lobbies.isMember(lobby.id, b!), true);

  core.lobbies.leave(lobby.id, b!);
  assert.equal(core.lobbies.isMember(lobby.id, b!), false);
  assert.equal(
    codeOf(() => core.lobbies.leave(lobby.id, b!)),
    'not_in_lobby',
  );

  core.sessions.disconnected(c!, 'gone');
  core.clock.advance(29_999);
  assert.equal(core.lobbies.isMember(lobby.id, c!), true);
  core.clock.advance(1);
  assert.equal(core.lobbies.isMember(lobby.id, c!), false);
  const left = core.delivered
    .filter((event) => event.type === 'lobby.left')
    .map((event) => (event.data as { reason: string }).reason);
  assert.deepEqual(left, ['left', 'disconnected']);
});

test('a session without a name cannot join', () => {
  const core = createCore();
  const a = named(core, 'A');
  const { lobby } = core.lobbies.create('Room', false, a);
  const nameless = core.sessions.create().session.id;
  assert.equal(
    codeOf(() => core.lobbies.join(lobby.id, nameless)),
    'name_required',
  );
});

test('chat is stored with its event in one transaction, before listeners hear of it', () => {
  const core = createCore();
  const a = named(core, 'A');
  const { lobby } = core.lobbies.create('Room', false, a);
  assert.equal(
    codeOf(() => core.chat.send(lobby.id, a, 'hi')),
    'not_in_lobby',
  );
  core.lobbies.join(lobby.id, a);
  let storedWhenHeard = -1;
  core.bus.on((event) => {
    if (event.type === 'chat.sent') storedWhenHeard = core.store.listChat(lobby.id, 10).length;
  });
  const message = core.chat.send(lobby.id, a, 'hello');
  assert.equal(storedWhenHeard, 1);
  assert.equal(message.sender_name, 'A');
  const events = core.store.listEvents(0, 100);
  const chatEvent = events.find((event) => event.type === 'chat.sent')!;
  assert.equal((chatEvent.data as { message: { id: string } }).message.id, message.id);
  assert.deepEqual(
    events.map((event) => event.seq),
    events.map((_, index) => index + 1),
    'gap-free seq',
  );
  assert.equal(
    codeOf(() => core.chat.send(lobby.id, a, '')),
    'invalid_message',
  );
  for (let i = 0; i < 5; i++) core.chat.send(lobby.id, a, `m${i}`);
  const page = core.chat.history(lobby.id, 2);
  assert.deepEqual(
    page.map((m) => m.text),
    ['m3', 'm4'],
  );
  assert.deepEqual(
    core.chat.history(lobby.id, 10, page[0]!.id).map((m) => m.text),
    ['hello', 'm0', 'm1', 'm2'],
  );
});

test('a failed transaction stores neither the change nor its event, and leaves no seq gap', () => {
  const core = createCore();
  const a = named(core, 'A');
  const before = core.store.lastEventSeq();
  assert.throws(() =>
    core.store.transaction(() =>
      core.bus.deferred(() => {
        core.lobbies.create('Doomed', false, a);
        throw new Error('boom');
      }),
    ),
  );
  assert.equal(core.store.getPublicLobbyByName('Doomed'), undefined);
  assert.equal(core.store.lastEventSeq(), before);
  assert.equal(
    core.delivered.some((event) => event.type === 'lobby.created'),
    false,
  );
  core.lobbies.create('Kept', false, a);
  assert.equal(core.store.lastEventSeq(), before + 1);
});

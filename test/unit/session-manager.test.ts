import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashToken } from '../../src/server/core/ids.ts';
import { createCore } from '../helpers/core.ts';

test('create stores only the token hash; authenticate finds the session by token', () => {
  const { sessions, store } = createCore();
  const { session, token } = sessions.create();
  const stored = store.getSession(session.id)!;
  assert.equal(stored.tokenHash, hashToken(token));
  assert.equal(JSON.stringify(store.listSessions()).includes(token), false);
  assert.equal(sessions.authenticate(token)?.id, session.id);
  assert.equal(sessions.authenticate('nope'), undefined);
  assert.equal(sessions.authenticate(''), undefined);
});

test('presence: active while connected and for the grace window, then inactive listeners run', () => {
  const { sessions, clock, delivered } = createCore();
  const { session } = sessions.create();
  const inactive: string[] = [];
  sessions.onInactive((id) => inactive.push(id));
  sessions.connected(session.id, '10.0.0.1');
  assert.equal(sessions.isConnected(session.id), true);
  clock.advance(1000);
  sessions.disconnected(session.id, 'close 1006');
  assert.equal(sessions.isActive(session.id), true);
  clock.advance(29_000);
  assert.deepEqual(inactive, []);
  sessions.connected(session.id, '10.0.0.1'); // back inside the window: the timer is cancelled
  clock.advance(60_000);
  assert.deepEqual(inactive, []);
  sessions.disconnected(session.id, 'close 1000');
  clock.advance(30_000);
  assert.deepEqual(inactive, [session.id]);
  assert.equal(sessions.isActive(session.id), false);
  assert.equal(sessions.get(session.id)!.lastSeenAt, clock.now() - 30_000);
  assert.deepEqual(
    delivered.map((event) => event.type),
    [
      'session.created',
      'session.connected',
      'session.disconnected',
      'session.connected',
      'session.disconnected',
    ],
  );
});

test('rename releases the name from an inactive former holder', () => {
  const { sessions, store } = createCore();
  const a = sessions.create().session;
  const b = sessions.create().session;
  sessions.rename(a.id, 'Sam');
  sessions.rename(b.id, 'SAM');
  assert.equal(store.getSession(a.id)!.name, null);
  assert.equal(store.getSession(b.id)!.name, 'SAM');
});

test('removeIdle removes sessions unseen for longer than the limit, never an active one', () => {
  const { sessions, clock, store } = createCore();
  const idle = sessions.create().session;
  const online = sessions.create().session;
  sessions.connected(online.id, null);
  clock.advance(31 * 86_400_000);
  const fresh = sessions.create().session;
  assert.equal(sessions.removeIdle(30 * 86_400_000), 1);
  assert.equal(store.getSession(idle.id), undefined);
  assert.ok(store.getSession(online.id));
  assert.ok(store.getSession(fresh.id));
});

/**
 * Property: after any sequence of operations the event log's seq is gap-free, and replaying the
 * log reproduces the counts the health document reports (sessions, lobbies, protected names).
 * Operations are drawn from a seeded generator, so a failure names the seed that reproduces it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdminService } from '../../src/server/core/admin-service.ts';
import type { SessionId } from '../../src/server/core/ids.ts';
import { pruneEventLog } from '../../src/server/events/retention.ts';
import { createCore } from '../helpers/core.ts';

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function replay(events: { type: string; data: any }[]) {
  const counts = { sessions: 0, lobbies: 0, protected_names: 0 };
  for (const { type } of events) {
    if (type === 'session.created') counts.sessions++;
    if (type === 'session.removed') counts.sessions--;
    if (type === 'lobby.created') counts.lobbies++;
    if (type === 'lobby.deleted') counts.lobbies--;
    if (type === 'name.protected') counts.protected_names++;
    if (type === 'name.unprotected') counts.protected_names--;
  }
  return counts;
}

const NAMES = ['Ann', 'ann', 'Bo', 'Cy', 'Dee', 'Eve'];

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  test(`seed ${seed}: gap-free seq and replay equals the live counts`, async () => {
    const random = prng(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
    const core = createCore();
    const admin = new AdminService(core);
    const ids: SessionId[] = [];
    const lobbyIds: string[] = [];
    const attempt = async (fn: () => unknown) => {
      try {
        await fn();
      } catch {
        /* expected domain errors: name_in_use, lobby_full, … */
      }
    };

    for (let step = 0; step < 150; step++) {
      const roll = random();
      if (roll < 0.15 || ids.length === 0) ids.push(core.sessions.create().session.id);
      else if (roll < 0.25) await attempt(() => core.sessions.connected(pick(ids), null));
      else if (roll < 0.32) await attempt(() => core.sessions.disconnected(pick(ids), 'gone'));
      else if (roll < 0.45)
        await attempt(() =>
          core.auth.setName(pick(ids), pick(NAMES), random() < 0.2 ? 'password-1' : undefined, null),
        );
      else if (roll < 0.55)
        await attempt(() =>
          lobbyIds.push(
            core.lobbies.create(pick(['Hall', 'hall', 'Den']), random() < 0.3, pick(ids)).lobby.id,
          ),
        );
      else if (roll < 0.68 && lobbyIds.length)
        await attempt(() => core.lobbies.join(pick(lobbyIds), pick(ids)));
      else if (roll < 0.74 && lobbyIds.length)
        await attempt(() => core.lobbies.leave(pick(lobbyIds), pick(ids)));
      else if (roll < 0.82 && lobbyIds.length)
        await attempt(() => core.chat.send(pick(lobbyIds), pick(ids), 'hi'));
      else if (roll < 0.86) await attempt(() => admin.kick(pick(ids)));
      else if (roll < 0.89 && lobbyIds.length) await attempt(() => admin.deleteLobby(pick(lobbyIds)));
      else if (roll < 0.92) await attempt(() => admin.unprotectName(pick(NAMES)));
      else if (roll < 0.95) await attempt(() => admin.cleanup(3_600_000));
      else core.clock.advance(Math.floor(random() * 3_600_000));
    }

    const events = core.store.listEvents(0, 100_000);
    assert.ok(events.length > 50);
    assert.deepEqual(
      events.map((event) => event.seq),
      events.map((_, index) => index + 1),
    );
    assert.deepEqual(replay(events), {
      sessions: core.store.countSessions(),
      lobbies: core.store.countLobbies(),
      protected_names: core.store.countProtectedNames(),
    });
    // Every listener saw exactly the committed events, in seq order.
    assert.deepEqual(
      core.delivered.map((event) => event.seq),
      events.map((event) => event.seq),
    );

    // Retention trims the front and never breaks the numbering.
    const last = core.store.lastEventSeq();
    pruneEventLog(core.store, core.clock, {
      EVENT_RETENTION_DAYS: 0,
      EVENT_RETENTION_COUNT: 20,
      WEBHOOK_URLS: [],
    });
    const kept = core.store.listEvents(0, 100_000);
    assert.deepEqual(
      kept.map((event) => event.seq),
      Array.from({ length: 20 }, (_, index) => last - 19 + index),
    );
    core.sessions.create();
    assert.equal(core.store.lastEventSeq(), last + 1);
  });
}

test('retention keeps what a webhook has not delivered, and always the newest event', () => {
  const core = createCore();
  for (let i = 0; i < 10; i++) core.sessions.create();
  core.store.putWebhookCursor({ url: 'http://hook', cursor: 4, lastError: null, updatedAt: 0 });
  core.clock.advance(100 * 86_400_000);
  pruneEventLog(core.store, core.clock, {
    EVENT_RETENTION_DAYS: 1,
    EVENT_RETENTION_COUNT: 0,
    WEBHOOK_URLS: ['http://hook'],
  });
  assert.deepEqual(
    core.store.listEvents(0, 100).map((event) => event.seq),
    [5, 6, 7, 8, 9, 10],
  );
  core.store.putWebhookCursor({ url: 'http://hook', cursor: 10, lastError: null, updatedAt: 0 });
  pruneEventLog(core.store, core.clock, {
    EVENT_RETENTION_DAYS: 1,
    EVENT_RETENTION_COUNT: 0,
    WEBHOOK_URLS: ['http://hook'],
  });
  assert.deepEqual(
    core.store.listEvents(0, 100).map((event) => event.seq),
    [10],
  );
});

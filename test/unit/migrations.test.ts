import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { test } from 'node:test';
import { MIGRATIONS } from '../../src/server/storage/migrations.ts';
import { SqliteStore } from '../../src/server/storage/sqlite-store.ts';
import { tempDataDir } from '../helpers/server.ts';

test('an empty database is migrated to the latest version', () => {
  const path = join(tempDataDir(), 'fresh.sqlite');
  const store = new SqliteStore({ path });
  assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  store.close();
});

test('a version-1 database keeps its data and gains the later tables', () => {
  const path = join(tempDataDir(), 'v1.sqlite');
  const old = new Database(path);
  old.exec(MIGRATIONS[0]!);
  old.pragma('user_version = 1');
  old
    .prepare(
      "INSERT INTO sessions (id, token_hash, name, name_key, is_bot, created_at, last_seen_at) VALUES ('s1', 'h1', 'Old', 'old', 0, 1, 2)",
    )
    .run();
  old.prepare("INSERT INTO events (seq, type, at, data) VALUES (1, 'session.created', 1, '{}')").run();
  old.close();

  const store = new SqliteStore({ path });
  assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(store.getSessionByTokenHash('h1')?.name, 'Old');
  store.insertBan({
    id: 'b1',
    sessionId: null,
    ip: '192.0.2.1',
    name: null,
    reason: 'r',
    createdAt: 3,
    expiresAt: null,
  });
  assert.equal(store.listBans().length, 1);
  assert.equal(store.appendEvent('session.created', 4, {}), 2, 'seq continues after an upgrade');
  store.close();
  // Opening again is a no-op.
  const again = new SqliteStore({ path });
  assert.equal(again.listBans().length, 1);
  again.close();
});

test('a database from a newer server is refused with a clear message', () => {
  const path = join(tempDataDir(), 'future.sqlite');
  const future = new Database(path);
  future.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  future.close();
  assert.throws(() => new SqliteStore({ path }), /newer than this server knows/);
});

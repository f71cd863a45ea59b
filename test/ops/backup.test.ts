/**
 * `npm run backup -- <file>` while the server runs and takes writes: the copy is a readable,
 * intact database with the data so far, and a server started on it (restore) knows the sessions,
 * lobbies and chat. Refuses to overwrite without --force; usage errors exit 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { api, newSession, TestClient } from '../helpers/client.ts';
import { ROOT, startServer, tempDataDir } from '../helpers/server.ts';

function backup(dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/server/backup-main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

test('online backup of a running server restores into a working server', async () => {
  const dataDir = tempDataDir();
  const server = await startServer({ dataDir });
  const out = join(tempDataDir('voicebot-backup-'), 'copy.sqlite');
  let token: string;
  let lobbyId: string;
  try {
    ({ token } = await newSession(server.url));
    lobbyId = (await api(server.url, 'POST', '/api/lobbies', { token, body: { name: 'Backed up' } })).body
      .lobby.id;
    const client = await TestClient.joined(server, 'Archivist', lobbyId);
    for (let i = 0; i < 20; i++)
      await client.request('send_chat', { lobby_id: lobbyId, text: `line ${i}` }, 'chat_message');
    // Writes keep flowing during the backup.
    const writes = (async () => {
      for (let i = 0; i < 30; i++)
        await client.request('send_chat', { lobby_id: lobbyId, text: `during ${i}` });
    })();
    const result = backup(dataDir, out);
    await writes;
    client.close();
    assert.equal(result.status, 0, result.stderr);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    assert.equal(summary.msg, 'backup written');
    assert.ok(summary.chat_messages >= 20);
    assert.ok(summary.schema_version >= 2);
    assert.ok(!existsSync(`${out}.partial`));

    const db = new Database(out, { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal((db.prepare('SELECT count(*) AS n FROM lobbies').get() as { n: number }).n, 1);
    db.close();

    // Without --force an existing file is kept; usage errors exit 2.
    const again = backup(dataDir, out);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /--force/);
    assert.equal(backup(dataDir).status, 2);
    assert.equal(backup(join(dataDir, 'missing'), `${out}.other`).status, 1);
    assert.equal(backup(dataDir, out, '--force').status, 0);
  } finally {
    await server.stop();
  }

  // Restore: a fresh data directory with the copy as its database.
  const restoredDir = tempDataDir();
  mkdirSync(restoredDir, { recursive: true });
  copyFileSync(out, join(restoredDir, 'voicebot.sqlite'));
  const restored = await startServer({ dataDir: restoredDir });
  try {
    assert.equal((await api(restored.url, 'GET', '/api/sessions/me', { token })).status, 200);
    const chat = await api(restored.url, 'GET', `/api/lobbies/${lobbyId}/chat?limit=200`);
    assert.equal(chat.status, 200);
    assert.ok(chat.body.messages.length >= 20);
    assert.equal(chat.body.messages[0].text, 'line 0');
  } finally {
    await restored.stop();
  }
});

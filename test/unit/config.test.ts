import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError, helpText, loadConfig, SETTINGS } from '../../src/server/config.ts';
import { iceServersFor } from '../../src/server/ice-servers.ts';
import { ROOT } from '../helpers/server.ts';

test('defaults match the documented values', () => {
  const config = loadConfig({});
  assert.equal(config.PORT, 8000);
  assert.equal(config.DATA_DIR, './data');
  assert.equal(config.RECONNECT_GRACE_MS, 30_000);
  assert.equal(config.LOBBY_MAX_PARTICIPANTS, 16);
  assert.equal(config.WS_RATE_BURST, 200);
  assert.equal(config.WS_RATE_REFILL_PER_SEC, 50);
  assert.equal(config.TRUST_PROXY, false);
  assert.deepEqual(config.ICE_SERVERS, []);
});

test('every bad value is reported at once, by name', () => {
  try {
    loadConfig({ PORT: 'eighty', ICE_SERVERS: '[{"url":1}', TRUST_PROXY: 'maybe', TURN_URLS: 'turn:x' });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    for (const key of ['PORT', 'ICE_SERVERS', 'TRUST_PROXY', 'TURN_SECRET'])
      assert.match(error.message, new RegExp(key));
  }
});

test('TURN credentials follow the coturn use-auth-secret scheme', () => {
  const config = loadConfig({
    TURN_URLS: 'turn:turn.example.org:3478',
    TURN_SECRET: 's3cret',
    TURN_TTL_S: '600',
    ICE_SERVERS: '[{"urls":"stun:stun.example.org"}]',
  });
  const servers = iceServersFor('session1', config, 1_000_000_000);
  assert.deepEqual(servers[0], { urls: 'stun:stun.example.org' });
  const turn = servers[1]!;
  assert.equal(turn.username, `${1_000_000 + 600}:session1`);
  assert.equal(turn.credential, createHmac('sha1', 's3cret').update(turn.username!).digest('base64'));
});

test('--help lists every setting; a bad setting exits 2 with a clear message', () => {
  for (const key of Object.keys(SETTINGS)) assert.match(helpText(), new RegExp(`\\b${key}\\b`));
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--help'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /LOBBY_MAX_PARTICIPANTS/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PORT: '-1', DATA_DIR: '/tmp/never-used' },
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /PORT="-1"/);
});

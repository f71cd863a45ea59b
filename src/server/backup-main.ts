#!/usr/bin/env node
/**
 * `npm run backup -- <file> [--force]`: an online backup of DATA_DIR/voicebot.sqlite, safe while
 * the server runs (SQLite's backup API through better-sqlite3: a consistent snapshot, writers are
 * not blocked). Reads configuration exactly as the server does (environment, then `.env`).
 * Writes `<file>.partial` first, checks it (`PRAGMA integrity_check`), then renames it into
 * place, so `<file>` is never a half-written database. Exit codes: 0 done, 1 failed, 2 usage or
 * configuration error.
 */
import 'dotenv/config';
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.ts';

const USAGE =
  'Usage: npm run backup -- <file> [--force]\n  Copies DATA_DIR/voicebot.sqlite to <file> while the server runs.\n';

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const force = args.includes('--force');
const files = args.filter((arg) => !arg.startsWith('--'));
if (files.length !== 1) fail(2, USAGE);

let dataDir: string;
try {
  dataDir = loadConfig(process.env).DATA_DIR;
} catch (error) {
  if (error instanceof ConfigError)
    fail(2, `${error.message}\nRun npm start -- --help to see every setting.`);
  throw error;
}

const source = join(dataDir, 'voicebot.sqlite');
const target = resolve(files[0]!);
const partial = `${target}.partial`;
if (!existsSync(source)) fail(1, `no database at ${source} (check DATA_DIR)`);
if (resolve(source) === target) fail(2, 'the backup file cannot be the database itself');
if (existsSync(target) && !force) fail(2, `${target} exists; pass --force to replace it`);

const started = Date.now();
const db = new Database(source, { fileMustExist: true });
try {
  db.pragma('busy_timeout = 5000');
  rmSync(partial, { force: true });
  await db.backup(partial);
} catch (error) {
  rmSync(partial, { force: true });
  fail(1, `backup failed: ${(error as Error).message}`);
} finally {
  db.close();
}

const copy = new Database(partial, { readonly: true, fileMustExist: true });
let summary: Record<string, unknown>;
try {
  const integrity = copy.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') throw new Error(`integrity_check: ${String(integrity)}`);
  const count = (table: string) =>
    (copy.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  summary = {
    file: target,
    schema_version: copy.pragma('user_version', { simple: true }),
    sessions: count('sessions'),
    lobbies: count('lobbies'),
    chat_messages: count('chat_messages'),
    events: count('events'),
    ms: Date.now() - started,
  };
} catch (error) {
  copy.close();
  rmSync(partial, { force: true });
  fail(1, `backup check failed: ${(error as Error).message}`);
}
copy.close();
renameSync(partial, target);
process.stdout.write(`${JSON.stringify({ msg: 'backup written', ...summary })}\n`);

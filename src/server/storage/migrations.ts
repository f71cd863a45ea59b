/**
 * Versioned schema migrations, run in order at start-up inside one transaction each.
 * Append new steps; never edit a step that has shipped.
 */
export const MIGRATIONS: string[] = [
  // 1: sessions, names, lobbies, chat, event log
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT,
    name_key TEXT,
    is_bot INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_name_key ON sessions(name_key);
  CREATE INDEX sessions_last_seen ON sessions(last_seen_at);

  CREATE TABLE protected_names (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    protected_at INTEGER NOT NULL
  );

  CREATE TABLE lobbies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    private INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX lobbies_public_name ON lobbies(name_key) WHERE private = 0;

  CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lobby_id TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    text TEXT NOT NULL,
    sent_at INTEGER NOT NULL
  );
  CREATE INDEX chat_by_lobby ON chat_messages(lobby_id, id);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL
  );
  `,
  // 2: bans, webhook delivery cursors
  `
  CREATE TABLE bans (
    id TEXT PRIMARY KEY,
    session_id TEXT,
    ip TEXT,
    name TEXT,
    name_key TEXT,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
  );

  CREATE TABLE webhook_cursors (
    url TEXT PRIMARY KEY,
    cursor INTEGER NOT NULL,
    last_error TEXT,
    updated_at INTEGER NOT NULL
  );
  `,
];

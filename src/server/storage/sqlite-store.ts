/** The embedded default Store: SQLite in WAL mode through better-sqlite3. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { nameKey } from '../../protocol/text-rules.ts';
import type { LobbyId, NameKey, SessionId } from '../core/ids.ts';
import { MIGRATIONS } from './migrations.ts';
import type {
  BanRecord,
  ChatRecord,
  EventRecord,
  LobbyRecord,
  ProtectedNameRecord,
  SessionRecord,
  Store,
  WebhookCursorRecord,
} from './store.ts';

interface SessionRow {
  id: string;
  token_hash: string;
  name: string | null;
  is_bot: number;
  created_at: number;
  last_seen_at: number;
}
interface LobbyRow {
  id: string;
  name: string;
  private: number;
  created_at: number;
}
interface ChatRow {
  id: number;
  lobby_id: string;
  sender_id: string;
  sender_name: string;
  text: string;
  sent_at: number;
}
interface BanRow {
  id: string;
  session_id: string | null;
  ip: string | null;
  name: string | null;
  reason: string;
  created_at: number;
  expires_at: number | null;
}
interface NameRow {
  key: string;
  name: string;
  password_hash: string;
  protected_at: number;
}

const toSession = (row: SessionRow): SessionRecord => ({
  id: row.id as SessionId,
  tokenHash: row.token_hash,
  name: row.name,
  isBot: row.is_bot === 1,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
});
const toLobby = (row: LobbyRow): LobbyRecord => ({
  id: row.id as LobbyId,
  name: row.name,
  isPrivate: row.private === 1,
  createdAt: row.created_at,
});
const toChat = (row: ChatRow): ChatRecord => ({
  id: row.id,
  lobbyId: row.lobby_id as LobbyId,
  senderId: row.sender_id as SessionId,
  senderName: row.sender_name,
  text: row.text,
  sentAt: row.sent_at,
});
const toName = (row: NameRow): ProtectedNameRecord => ({
  key: row.key as NameKey,
  name: row.name,
  passwordHash: row.password_hash,
  protectedAt: row.protected_at,
});

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  synchronous?: 'normal' | 'full';
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly q;

  constructor(options: SqliteOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    const db = this.db;
    this.q = {
      insertSession: db.prepare(
        'INSERT INTO sessions (id, token_hash, name, name_key, is_bot, created_at, last_seen_at) VALUES (@id, @tokenHash, @name, @nameKey, @isBot, @createdAt, @lastSeenAt)',
      ),
      getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
      getSessionByToken: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE token_hash = ?'),
      setName: db.prepare('UPDATE sessions SET name = ?, name_key = ? WHERE id = ?'),
      holdersOfName: db.prepare<[string, string], { id: string }>(
        'SELECT id FROM sessions WHERE name_key = ? AND id != ?',
      ),
      clearName: db.prepare('UPDATE sessions SET name = NULL, name_key = NULL WHERE id = ?'),
      touch: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
      listSessions: db.prepare<[], SessionRow>('SELECT * FROM sessions ORDER BY created_at'),
      idle: db.prepare<[number], { id: string }>('SELECT id FROM sessions WHERE last_seen_at < ?'),
      countSessions: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sessions'),
      getName: db.prepare<[string], NameRow>('SELECT * FROM protected_names WHERE key = ?'),
      putName: db.prepare(
        'INSERT INTO protected_names (key, name, password_hash, protected_at) VALUES (@key, @name, @passwordHash, @protectedAt) ON CONFLICT(key) DO UPDATE SET name = excluded.name, password_hash = excluded.password_hash, protected_at = excluded.protected_at',
      ),
      deleteName: db.prepare('DELETE FROM protected_names WHERE key = ?'),
      listNames: db.prepare<[], NameRow>('SELECT * FROM protected_names ORDER BY protected_at'),
      countNames: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM protected_names'),
      insertLobby: db.prepare(
        'INSERT INTO lobbies (id, name, name_key, private, created_at) VALUES (@id, @name, @nameKey, @private, @createdAt)',
      ),
      getLobby: db.prepare<[string], LobbyRow>('SELECT * FROM lobbies WHERE id = ?'),
      getPublicLobby: db.prepare<[string], LobbyRow>(
        'SELECT * FROM lobbies WHERE name_key = ? AND private = 0',
      ),
      listPublicLobbies: db.prepare<[], LobbyRow>(
        'SELECT * FROM lobbies WHERE private = 0 ORDER BY created_at',
      ),
      deleteLobby: db.prepare('DELETE FROM lobbies WHERE id = ?'),
      deleteLobbyChat: db.prepare('DELETE FROM chat_messages WHERE lobby_id = ?'),
      countLobbies: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM lobbies'),
      insertChat: db.prepare(
        'INSERT INTO chat_messages (lobby_id, sender_id, sender_name, text, sent_at) VALUES (@lobbyId, @senderId, @senderName, @text, @sentAt)',
      ),
      listChat: db.prepare<[string, number, number], ChatRow>(
        'SELECT * FROM (SELECT * FROM chat_messages WHERE lobby_id = ? AND id < ? ORDER BY id DESC LIMIT ?) ORDER BY id',
      ),
      appendEvent: db.prepare('INSERT INTO events (seq, type, at, data) VALUES (?, ?, ?, ?)'),
      lastSeq: db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events'),
      pruneEvents: db.prepare(
        'DELETE FROM events WHERE seq <= ? AND at < ? AND seq < (SELECT max(seq) FROM events)',
      ),
      countEvents: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
      insertBan: db.prepare(
        'INSERT INTO bans (id, session_id, ip, name, name_key, reason, created_at, expires_at) VALUES (@id, @sessionId, @ip, @name, @nameKey, @reason, @createdAt, @expiresAt)',
      ),
      listBans: db.prepare<[], BanRow>('SELECT * FROM bans ORDER BY created_at'),
      deleteBan: db.prepare('DELETE FROM bans WHERE id = ?'),
      getCursor: db.prepare<
        [string],
        { url: string; cursor: number; last_error: string | null; updated_at: number }
      >('SELECT * FROM webhook_cursors WHERE url = ?'),
      putCursor: db.prepare(
        'INSERT INTO webhook_cursors (url, cursor, last_error, updated_at) VALUES (@url, @cursor, @lastError, @updatedAt) ON CONFLICT(url) DO UPDATE SET cursor = excluded.cursor, last_error = excluded.last_error, updated_at = excluded.updated_at',
      ),
      listEvents: db.prepare<[number, number], { seq: number; type: string; at: number; data: string }>(
        'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
      ),
    };
    this.nextSeq = (this.q.lastSeq.get()?.seq ?? 0) + 1;
  }

  private nextSeq: number;

  transaction<R>(fn: () => R): R {
    if (this.db.inTransaction) return fn();
    const seqBefore = this.nextSeq;
    try {
      return this.db.transaction(fn)();
    } catch (error) {
      this.nextSeq = seqBefore; // the rolled-back events' numbers are free again: no gap
      throw error;
    }
  }

  insertSession(session: SessionRecord): void {
    this.q.insertSession.run({
      ...session,
      nameKey: session.name === null ? null : nameKey(session.name),
      isBot: session.isBot ? 1 : 0,
    });
  }
  getSession(id: SessionId): SessionRecord | undefined {
    const row = this.q.getSession.get(id);
    return row && toSession(row);
  }
  getSessionByTokenHash(tokenHash: string): SessionRecord | undefined {
    const row = this.q.getSessionByToken.get(tokenHash);
    return row && toSession(row);
  }
  setSessionName(id: SessionId, name: string | null): void {
    this.q.setName.run(name, name === null ? null : nameKey(name), id);
  }
  releaseName(key: NameKey, keep: SessionId): SessionId[] {
    const holders = this.q.holdersOfName.all(key, keep).map((row) => row.id as SessionId);
    for (const id of holders) this.q.clearName.run(id);
    return holders;
  }
  touchSession(id: SessionId, at: number): void {
    this.q.touch.run(at, id);
  }
  deleteSession(id: SessionId): boolean {
    return this.q.deleteSession.run(id).changes > 0;
  }
  listSessions(): SessionRecord[] {
    return this.q.listSessions.all().map(toSession);
  }
  idleSessionIds(before: number): SessionId[] {
    return this.q.idle.all(before).map((row) => row.id as SessionId);
  }
  countSessions(): number {
    return this.q.countSessions.get()!.n;
  }

  getProtectedName(key: NameKey): ProtectedNameRecord | undefined {
    const row = this.q.getName.get(key);
    return row && toName(row);
  }
  putProtectedName(record: ProtectedNameRecord): void {
    this.q.putName.run(record);
  }
  deleteProtectedName(key: NameKey): boolean {
    return this.q.deleteName.run(key).changes > 0;
  }
  listProtectedNames(): ProtectedNameRecord[] {
    return this.q.listNames.all().map(toName);
  }
  countProtectedNames(): number {
    return this.q.countNames.get()!.n;
  }

  insertLobby(lobby: LobbyRecord): void {
    this.q.insertLobby.run({
      id: lobby.id,
      name: lobby.name,
      nameKey: nameKey(lobby.name),
      private: lobby.isPrivate ? 1 : 0,
      createdAt: lobby.createdAt,
    });
  }
  getLobby(id: LobbyId): LobbyRecord | undefined {
    const row = this.q.getLobby.get(id);
    return row && toLobby(row);
  }
  getPublicLobbyByName(name: string): LobbyRecord | undefined {
    const row = this.q.getPublicLobby.get(nameKey(name));
    return row && toLobby(row);
  }
  listPublicLobbies(): LobbyRecord[] {
    return this.q.listPublicLobbies.all().map(toLobby);
  }
  deleteLobby(id: LobbyId): boolean {
    this.q.deleteLobbyChat.run(id);
    return this.q.deleteLobby.run(id).changes > 0;
  }
  countLobbies(): number {
    return this.q.countLobbies.get()!.n;
  }

  insertChat(message: Omit<ChatRecord, 'id'>): number {
    return Number(this.q.insertChat.run(message).lastInsertRowid);
  }
  listChat(lobbyId: LobbyId, limit: number, beforeId?: number): ChatRecord[] {
    return this.q.listChat.all(lobbyId, beforeId ?? Number.MAX_SAFE_INTEGER, limit).map(toChat);
  }

  appendEvent(type: string, at: number, data: unknown): number {
    const seq = this.nextSeq++;
    this.q.appendEvent.run(seq, type, at, JSON.stringify(data));
    return seq;
  }
  listEvents(after: number, limit: number): EventRecord[] {
    return this.q.listEvents
      .all(after, limit)
      .map((row) => ({ ...row, data: JSON.parse(row.data) as unknown }));
  }
  lastEventSeq(): number {
    return this.nextSeq - 1;
  }

  pruneEvents(upToSeq: number, before: number): number {
    return this.q.pruneEvents.run(upToSeq, before).changes;
  }
  countEvents(): number {
    return this.q.countEvents.get()!.n;
  }

  insertBan(ban: BanRecord): void {
    this.q.insertBan.run({ ...ban, nameKey: ban.name === null ? null : nameKey(ban.name) });
  }
  listBans(): BanRecord[] {
    return this.q.listBans.all().map((row) => ({
      id: row.id,
      sessionId: row.session_id,
      ip: row.ip,
      name: row.name,
      reason: row.reason,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }));
  }
  deleteBan(id: string): boolean {
    return this.q.deleteBan.run(id).changes > 0;
  }

  getWebhookCursor(url: string): WebhookCursorRecord | undefined {
    const row = this.q.getCursor.get(url);
    return row && { url: row.url, cursor: row.cursor, lastError: row.last_error, updatedAt: row.updated_at };
  }
  putWebhookCursor(record: WebhookCursorRecord): void {
    this.q.putCursor.run(record);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database is at schema version ${current}, newer than this server knows (${MIGRATIONS.length}): run the newer server, or restore a backup taken before the upgrade`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

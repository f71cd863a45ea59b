/**
 * What the core needs from storage. Times are epoch milliseconds. The SQLite implementation is
 * synchronous (better-sqlite3), which lets a change and its event-log row commit together.
 */
import type { LobbyId, NameKey, SessionId } from '../core/ids.ts';

export interface SessionRecord {
  id: SessionId;
  tokenHash: string;
  name: string | null;
  isBot: boolean;
  createdAt: number;
  lastSeenAt: number;
}

export interface ProtectedNameRecord {
  key: NameKey;
  name: string;
  passwordHash: string;
  protectedAt: number;
}

export interface LobbyRecord {
  id: LobbyId;
  name: string;
  isPrivate: boolean;
  createdAt: number;
}

export interface ChatRecord {
  id: number;
  lobbyId: LobbyId;
  senderId: SessionId;
  senderName: string;
  text: string;
  sentAt: number;
}

export interface EventRecord {
  seq: number;
  type: string;
  at: number;
  data: unknown;
}

export interface BanRecord {
  id: string;
  sessionId: string | null;
  ip: string | null;
  name: string | null;
  reason: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface WebhookCursorRecord {
  url: string;
  cursor: number;
  lastError: string | null;
  updatedAt: number;
}

export interface Store {
  /** Run `fn` atomically; nested calls join the outer transaction. */
  transaction<R>(fn: () => R): R;

  insertSession(session: SessionRecord): void;
  getSession(id: SessionId): SessionRecord | undefined;
  getSessionByTokenHash(tokenHash: string): SessionRecord | undefined;
  setSessionName(id: SessionId, name: string | null): void;
  /** Clear `name` from every session but `keep` that holds it (compared case-insensitively). */
  releaseName(key: NameKey, keep: SessionId): SessionId[];
  touchSession(id: SessionId, at: number): void;
  deleteSession(id: SessionId): boolean;
  listSessions(): SessionRecord[];
  /** Ids of sessions last seen before `before`. */
  idleSessionIds(before: number): SessionId[];
  countSessions(): number;

  getProtectedName(key: NameKey): ProtectedNameRecord | undefined;
  putProtectedName(record: ProtectedNameRecord): void;
  deleteProtectedName(key: NameKey): boolean;
  listProtectedNames(): ProtectedNameRecord[];
  countProtectedNames(): number;

  insertLobby(lobby: LobbyRecord): void;
  getLobby(id: LobbyId): LobbyRecord | undefined;
  getPublicLobbyByName(name: string): LobbyRecord | undefined;
  listPublicLobbies(): LobbyRecord[];
  deleteLobby(id: LobbyId): boolean;
  countLobbies(): number;

  /** Stores the message and returns its id. */
  insertChat(message: Omit<ChatRecord, 'id'>): number;
  /** The newest `limit` messages before `beforeId` (all when undefined), oldest first. */
  listChat(lobbyId: LobbyId, limit: number, beforeId?: number): ChatRecord[];

  appendEvent(type: string, at: number, data: unknown): number;
  listEvents(after: number, limit: number): EventRecord[];
  lastEventSeq(): number;
  /** Delete events with seq ≤ `upToSeq` and `at` < `before`; never the newest one. Returns how many. */
  pruneEvents(upToSeq: number, before: number): number;
  countEvents(): number;

  insertBan(ban: BanRecord): void;
  listBans(): BanRecord[];
  deleteBan(id: string): boolean;

  getWebhookCursor(url: string): WebhookCursorRecord | undefined;
  putWebhookCursor(record: WebhookCursorRecord): void;

  close(): void;
}

/**
 * SessionManager: session lifecycle (create, token auth, rename, remove, idle expiry) and
 * presence: which sessions are connected or inside the reconnect grace window ("active").
 * Knows nothing of sockets: the transport reports connects and disconnects.
 */
import type { Session } from '../../protocol/entities.ts';
import { nameKey } from '../../protocol/text-rules.ts';
import type { Config } from '../config.ts';
import { atomically } from './atomically.ts';
import type { EventBus } from '../events/bus.ts';
import type { SessionRecord, Store } from '../storage/store.ts';
import { isoTime, type Clock, type Timer } from './clock.ts';
import { AppError } from './errors.ts';
import { hashToken, newSessionId, newToken, type NameKey, type SessionId } from './ids.ts';

interface Presence {
  record: SessionRecord;
  connected: boolean;
  graceTimer: Timer | null;
}

export type SessionConfig = Pick<Config, 'RECONNECT_GRACE_MS' | 'SESSION_IDLE_DAYS'>;

export interface SessionDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  config: SessionConfig;
}

export class SessionManager {
  /** Active sessions: connected, or disconnected less than the grace window ago. */
  private readonly active = new Map<SessionId, Presence>();
  /** Name key → active session holding it. */
  private readonly activeNames = new Map<NameKey, SessionId>();
  private readonly inactiveListeners = new Set<(id: SessionId) => void>();

  constructor(private readonly deps: SessionDeps) {}

  create(isBot = false): { session: SessionRecord; token: string } {
    const { store, bus, clock } = this.deps;
    const token = newToken();
    const now = clock.now();
    const session: SessionRecord = {
      id: newSessionId(),
      tokenHash: hashToken(token),
      name: null,
      isBot,
      createdAt: now,
      lastSeenAt: now,
    };
    atomically(store, bus, () => {
      store.insertSession(session);
      bus.emit('session.created', { session_id: session.id, is_bot: isBot });
    });
    return { session, token };
  }

  /** The session a token belongs to, or undefined. */
  authenticate(token: string | undefined | null): SessionRecord | undefined {
    if (!token || token.length > 256) return undefined;
    const record = this.deps.store.getSessionByTokenHash(hashToken(token));
    if (!record) return undefined;
    return this.active.get(record.id)?.record ?? record;
  }

  get(id: SessionId): SessionRecord | undefined {
    return this.active.get(id)?.record ?? this.deps.store.getSession(id);
  }

  require(id: SessionId): SessionRecord {
    const record = this.get(id);
    if (!record) throw new AppError('unknown_session');
    return record;
  }

  view(record: SessionRecord): Session {
    return {
      id: record.id,
      name: record.name,
      protected:
        record.name !== null &&
        this.deps.store.getProtectedName(nameKey(record.name) as NameKey) !== undefined,
      is_bot: record.isBot,
      created_at: isoTime(record.createdAt),
    };
  }

  isConnected(id: SessionId): boolean {
    return this.active.get(id)?.connected ?? false;
  }

  isActive(id: SessionId): boolean {
    return this.active.has(id);
  }

  /** The active session holding a name (compared case-insensitively), if any. */
  activeHolderOf(name: string): SessionId | undefined {
    return this.activeNames.get(nameKey(name) as NameKey);
  }

  connected(id: SessionId, ip: string | null): SessionRecord {
    const { store, bus, clock } = this.deps;
    let presence = this.active.get(id);
    if (!presence) {
      const record = this.require(id);
      presence = { record, connected: false, graceTimer: null };
      this.active.set(id, presence);
      this.claimActiveName(presence.record);
    }
    presence.graceTimer?.cancel();
    presence.graceTimer = null;
    presence.connected = true;
    presence.record.lastSeenAt = clock.now();
    atomically(store, bus, () => {
      store.touchSession(id, presence.record.lastSeenAt);
      bus.emit('session.connected', { session_id: id, ip });
    });
    return presence.record;
  }

  /** The socket went away: the session stays active for the grace window, then goes inactive. */
  disconnected(id: SessionId, reason: string): void {
    const { store, bus, clock, config } = this.deps;
    const presence = this.active.get(id);
    if (!presence || !presence.connected) return;
    presence.connected = false;
    presence.record.lastSeenAt = clock.now();
    atomically(store, bus, () => {
      store.touchSession(id, presence.record.lastSeenAt);
      bus.emit('session.disconnected', { session_id: id, reason });
    });
    presence.graceTimer = clock.setTimer(config.RECONNECT_GRACE_MS, () => this.deactivate(id));
  }

  /** Called with each session that stopped being active (grace over, or removed). */
  onInactive(listener: (id: SessionId) => void): void {
    this.inactiveListeners.add(listener);
  }

  rename(id: SessionId, name: string): void {
    const { store, bus } = this.deps;
    const record = this.require(id);
    const previous = record.name;
    const key = nameKey(name) as NameKey;
    atomically(store, bus, () => {
      // Whoever held this name while away loses it: a name belongs to one session at a time.
      for (const other of store.releaseName(key, id)) {
        const cached = this.active.get(other)?.record;
        if (cached) cached.name = null;
      }
      store.setSessionName(id, name);
      bus.emit('session.renamed', { session_id: id, name, previous });
    });
    if (this.active.has(id)) {
      if (previous !== null && this.activeNames.get(nameKey(previous) as NameKey) === id) {
        this.activeNames.delete(nameKey(previous) as NameKey);
      }
      this.activeNames.set(key, id);
    }
    record.name = name;
  }

  /** Delete a session for good (admin kick, idle expiry). */
  remove(id: SessionId, reason: string): boolean {
    const { store, bus } = this.deps;
    const removed = atomically(store, bus, () => {
      if (!store.deleteSession(id)) return false;
      bus.emit('session.removed', { session_id: id, reason });
      return true;
    });
    // Gone from the store first, so a listener that removes it again (a bot's registry) is a no-op.
    if (this.active.has(id)) this.deactivate(id);
    return removed;
  }

  /** Remove sessions unseen for `maxIdleMs` that are not active; returns how many. */
  removeIdle(maxIdleMs: number): number {
    const { store, clock } = this.deps;
    let removed = 0;
    for (const id of store.idleSessionIds(clock.now() - maxIdleMs)) {
      if (!this.active.has(id) && this.remove(id, 'idle')) removed++;
    }
    return removed;
  }

  stats(): { active: number; connected: number } {
    let connected = 0;
    for (const presence of this.active.values()) if (presence.connected) connected++;
    return { active: this.active.size, connected };
  }

  activeIds(): SessionId[] {
    return [...this.active.keys()];
  }

  private claimActiveName(record: SessionRecord): void {
    if (record.name === null) return;
    const key = nameKey(record.name) as NameKey;
    const holder = this.activeNames.get(key);
    if (holder === undefined || holder === record.id) this.activeNames.set(key, record.id);
    else record.name = null; // cannot happen while rename() releases names; stay safe anyway
  }

  private deactivate(id: SessionId): void {
    const presence = this.active.get(id);
    if (!presence) return;
    presence.graceTimer?.cancel();
    this.active.delete(id);
    const name = presence.record.name;
    if (name !== null && this.activeNames.get(nameKey(name) as NameKey) === id) {
      this.activeNames.delete(nameKey(name) as NameKey);
    }
    for (const listener of this.inactiveListeners) listener(id);
  }
}

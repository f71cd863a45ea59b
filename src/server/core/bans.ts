/**
 * Bans: a session, an address or a name that may no longer create sessions, connect, take the
 * name or join. Kept in the store and mirrored in memory, since every connect and join asks.
 */
import type { Ban } from '../../protocol/admin.ts';
import { nameKey } from '../../protocol/text-rules.ts';
import type { EventBus } from '../events/bus.ts';
import type { BanRecord, Store } from '../storage/store.ts';
import { atomically } from './atomically.ts';
import { isoTime, type Clock } from './clock.ts';
import { AppError } from './errors.ts';
import { randomId } from './ids.ts';

export interface BanSubject {
  sessionId?: string | null;
  ip?: string | null;
  name?: string | null;
}

export interface BanChecker {
  /** Throws AppError('banned') when a live ban covers the subject. */
  assertAllowed(subject: BanSubject): void;
}

export const noBans: BanChecker = { assertAllowed: () => {} };

export interface NewBan {
  sessionId?: string;
  ip?: string;
  name?: string;
  reason: string;
  expiresAt?: number;
}

export const banView = (ban: BanRecord): Ban => ({
  id: ban.id,
  session_id: ban.sessionId,
  ip: ban.ip,
  name: ban.name,
  reason: ban.reason,
  created_at: isoTime(ban.createdAt),
  expires_at: ban.expiresAt === null ? null : isoTime(ban.expiresAt),
});

export class BanManager implements BanChecker {
  private bans: BanRecord[];

  constructor(private readonly deps: { store: Store; bus: EventBus; clock: Clock }) {
    this.bans = deps.store.listBans();
  }

  /** The live ban covering the subject, if any. */
  find(subject: BanSubject): BanRecord | undefined {
    if (this.bans.length === 0) return undefined;
    const now = this.deps.clock.now();
    const key = subject.name ? nameKey(subject.name) : null;
    return this.bans.find(
      (ban) =>
        (ban.expiresAt === null || ban.expiresAt > now) &&
        ((ban.sessionId !== null && ban.sessionId === subject.sessionId) ||
          (ban.ip !== null && ban.ip === subject.ip) ||
          (ban.name !== null && key !== null && nameKey(ban.name) === key)),
    );
  }

  assertAllowed(subject: BanSubject): void {
    const ban = this.find(subject);
    if (ban) throw new AppError('banned', `Banned: ${ban.reason}`);
  }

  create(ban: NewBan): BanRecord {
    const { store, bus, clock } = this.deps;
    const record: BanRecord = {
      id: randomId(9),
      sessionId: ban.sessionId ?? null,
      ip: ban.ip ?? null,
      name: ban.name ?? null,
      reason: ban.reason,
      createdAt: clock.now(),
      expiresAt: ban.expiresAt ?? null,
    };
    atomically(store, bus, () => {
      store.insertBan(record);
      bus.emit('admin.action', { action: 'ban.created', target: record.id, details: { ...banView(record) } });
    });
    this.bans.push(record);
    return record;
  }

  list(): BanRecord[] {
    return [...this.bans];
  }

  remove(id: string): void {
    const { store, bus } = this.deps;
    atomically(store, bus, () => {
      if (!store.deleteBan(id)) throw new AppError('unknown_ban');
      bus.emit('admin.action', { action: 'ban.removed', target: id });
    });
    this.bans = this.bans.filter((ban) => ban.id !== id);
  }
}

/**
 * AuthManager: taking a name, protecting it with a password, and limiting password guesses
 * per name and per client address.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { isValidPassword, NAME_MAX, nameKey, normalizeDisplayName } from '../../protocol/text-rules.ts';
import type { Config } from '../config.ts';
import { atomically } from './atomically.ts';
import type { EventBus } from '../events/bus.ts';
import type { ProtectedNameRecord, Store } from '../storage/store.ts';
import type { BanChecker } from './bans.ts';
import type { Clock } from './clock.ts';
import { AppError } from './errors.ts';
import type { NameKey, SessionId } from './ids.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { SessionManager } from './session-manager.ts';

export type AuthConfig = Pick<
  Config,
  'PASSWORD_ATTEMPTS' | 'PASSWORD_ATTEMPTS_PER_IP' | 'PASSWORD_ATTEMPT_WINDOW_S'
>;

export interface AuthDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  sessions: SessionManager;
  bans: BanChecker;
  config: AuthConfig;
}

export class AuthManager {
  private readonly failuresByName: RateLimiterMemory;
  private readonly failuresByIp: RateLimiterMemory;

  constructor(private readonly deps: AuthDeps) {
    const duration = deps.config.PASSWORD_ATTEMPT_WINDOW_S;
    this.failuresByName = new RateLimiterMemory({ points: deps.config.PASSWORD_ATTEMPTS, duration });
    this.failuresByIp = new RateLimiterMemory({ points: deps.config.PASSWORD_ATTEMPTS_PER_IP, duration });
  }

  /** `set_name`: take a name, proving a protected one with its password, or protect it. */
  async setName(
    sessionId: SessionId,
    rawName: string,
    password: string | undefined,
    ip: string | null,
  ): Promise<{ name: string; protected: boolean }> {
    const name = normalizeDisplayName(rawName, NAME_MAX);
    if (name === null) throw new AppError('invalid_name');
    if (password !== undefined && !isValidPassword(password)) throw new AppError('invalid_password');
    this.deps.bans.assertAllowed({ sessionId, ip, name });
    const key = nameKey(name) as NameKey;

    this.assertFree(sessionId, name);
    const existing = this.deps.store.getProtectedName(key);
    const holdsIt = (): boolean => {
      const current = this.deps.sessions.require(sessionId).name;
      return current !== null && nameKey(current) === key;
    };
    if (existing && (password !== undefined || !holdsIt())) {
      if (password === undefined) throw new AppError('name_protected');
      await this.verify(existing, password, key, ip);
    }
    const newHash = !existing && password !== undefined ? await hashPassword(password) : null;

    // Re-check after the slow hash: another session may have taken or protected the name meanwhile.
    this.assertFree(sessionId, name);
    const now = this.deps.store.getProtectedName(key);
    if (now && !existing && !holdsIt()) throw new AppError('name_protected');

    const { store, bus, sessions, clock } = this.deps;
    atomically(store, bus, () => {
      if (sessions.require(sessionId).name !== name) sessions.rename(sessionId, name);
      if (newHash !== null && !now) {
        store.putProtectedName({ key, name, passwordHash: newHash, protectedAt: clock.now() });
        bus.emit('name.protected', { name, session_id: sessionId });
      }
    });
    return { name, protected: existing !== undefined || newHash !== null };
  }

  isProtected(name: string): boolean {
    return this.deps.store.getProtectedName(nameKey(name) as NameKey) !== undefined;
  }

  listProtected(): ProtectedNameRecord[] {
    return this.deps.store.listProtectedNames();
  }

  /** Admin: drop a name's password. */
  unprotect(name: string, by: string): boolean {
    const { store, bus } = this.deps;
    return atomically(store, bus, () => {
      const record = store.getProtectedName(nameKey(name) as NameKey);
      if (!record || !store.deleteProtectedName(record.key)) return false;
      bus.emit('name.unprotected', { name: record.name, by });
      return true;
    });
  }

  private assertFree(sessionId: SessionId, name: string): void {
    const holder = this.deps.sessions.activeHolderOf(name);
    if (holder !== undefined && holder !== sessionId) throw new AppError('name_in_use');
  }

  private async verify(
    record: ProtectedNameRecord,
    password: string,
    key: NameKey,
    ip: string | null,
  ): Promise<void> {
    const limits: [RateLimiterMemory, string][] = [
      [this.failuresByName, key],
      ...(ip ? [[this.failuresByIp, ip] as [RateLimiterMemory, string]] : []),
    ];
    for (const [limiter, limiterKey] of limits) {
      const used = await limiter.get(limiterKey);
      if (used && used.consumedPoints >= limiter.points) throw new AppError('too_many_attempts');
    }
    if (await verifyPassword(password, record.passwordHash)) return;
    await Promise.all(limits.map(([limiter, limiterKey]) => limiter.penalty(limiterKey, 1)));
    throw new AppError('name_protected', 'Wrong password for that protected name.');
  }
}

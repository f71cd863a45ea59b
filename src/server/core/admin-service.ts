/**
 * What an operator may do, each recorded as an `admin.action` event in the same transaction as
 * the change it makes.
 */
import type { EventBus } from '../events/bus.ts';
import type { Store } from '../storage/store.ts';
import { atomically } from './atomically.ts';
import type { AuthManager } from './auth-manager.ts';
import { AppError } from './errors.ts';
import type { SessionId } from './ids.ts';
import type { LobbyManager } from './lobby-manager.ts';
import type { SessionManager } from './session-manager.ts';

export interface AdminDeps {
  store: Store;
  bus: EventBus;
  sessions: SessionManager;
  auth: AuthManager;
  lobbies: LobbyManager;
}

export class AdminService {
  constructor(private readonly deps: AdminDeps) {}

  /** Remove a session: its socket is told `kicked` and closed; it may come back as a new session. */
  kick(sessionId: string): void {
    const { store, bus, sessions } = this.deps;
    atomically(store, bus, () => {
      if (!sessions.remove(sessionId as SessionId, 'kicked')) throw new AppError('unknown_session');
      bus.emit('admin.action', { action: 'session.kicked', target: sessionId });
    });
  }

  /** Remove sessions idle longer than `maxIdleMs`, never a connected or reconnecting one. */
  cleanup(maxIdleMs: number): number {
    const { store, bus, sessions } = this.deps;
    return atomically(store, bus, () => {
      const removed = sessions.removeIdle(maxIdleMs);
      bus.emit('admin.action', { action: 'sessions.cleanup', details: { max_idle_ms: maxIdleMs, removed } });
      return removed;
    });
  }

  unprotectName(name: string): void {
    const { store, bus, auth } = this.deps;
    atomically(store, bus, () => {
      if (!auth.unprotect(name, 'admin')) throw new AppError('unknown_name');
      bus.emit('admin.action', { action: 'name.unprotected', target: name });
    });
  }

  deleteLobby(lobbyId: string): void {
    const { store, bus, lobbies } = this.deps;
    atomically(store, bus, () => {
      lobbies.delete(lobbyId, 'closed by the operator');
      bus.emit('admin.action', { action: 'lobby.deleted', target: lobbyId });
    });
  }
}

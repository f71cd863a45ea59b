import type { Encoded } from '../ws/frames.ts';

/**
 * Who holds the socket of a session, and how to send it a frame. The local registry keeps this
 * process's sockets; a clustered one would forward frames for sessions on other instances.
 */
export interface Outlet {
  readonly sessionId: string;
  /** Send an already-encoded frame. */
  send(frame: Encoded): void;
  close(code: number, reason: string): void;
}

export interface ConnectionRegistry<C extends Outlet = Outlet> {
  /** Registers `connection` as its session's socket; returns the one it replaces. */
  add(connection: C): C | undefined;
  /** Unregisters `connection` if it is still its session's socket; true when it was. */
  remove(connection: C): boolean;
  get(sessionId: string): C | undefined;
  send(sessionId: string, frame: Encoded): boolean;
  all(): IterableIterator<C>;
  readonly size: number;
}

export class LocalConnectionRegistry<C extends Outlet> implements ConnectionRegistry<C> {
  private readonly bySession = new Map<string, C>();

  add(connection: C): C | undefined {
    const previous = this.bySession.get(connection.sessionId);
    this.bySession.set(connection.sessionId, connection);
    return previous;
  }
  remove(connection: C): boolean {
    if (this.bySession.get(connection.sessionId) !== connection) return false;
    return this.bySession.delete(connection.sessionId);
  }
  get(sessionId: string): C | undefined {
    return this.bySession.get(sessionId);
  }
  send(sessionId: string, frame: Encoded): boolean {
    const connection = this.bySession.get(sessionId);
    if (!connection) return false;
    connection.send(frame);
    return true;
  }
  all(): IterableIterator<C> {
    return this.bySession.values();
  }
  get size(): number {
    return this.bySession.size;
  }
}

/**
 * The signaling socket: one WebSocket to `/ws`, request/reply by frame id, a heartbeat that
 * notices a dead link, and reconnection with capped exponential backoff and jitter.
 */
import type { ClientDataOf, ClientType, ServerFrame } from '../../src/protocol/ws.ts';
import { ServerError } from './errors.ts';

export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; reason: string }
  | { kind: 'stopped'; reason: string };

export interface ConnectionHooks {
  /** Resolves the session token to connect with (may create a session over HTTP). */
  token(): Promise<string>;
  frame(frame: ServerFrame): void;
  status(status: ConnectionStatus): void;
  /** Decides what to do after the server closed the socket with `code`. */
  closed(code: number, reason: string): 'retry' | 'stop' | 'new-session';
}

interface Pending {
  resolve(frame: ServerFrame): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const PING_EVERY_MS = 10_000;
const DEAD_AFTER_MS = 25_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private nextId = 1;
  private pending = new Map<string, Pending>();
  private stopped = false;
  private welcomed = false;

  constructor(private readonly hooks: ConnectionHooks) {
    window.addEventListener('online', () => this.retryNow());
    // Someone looking at the page again should not wait out a long backoff.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
    // Offline: the socket may hang for minutes before TCP notices; drop it now and wait to be online.
    window.addEventListener('offline', () => {
      if (this.ws && !this.stopped) this.onClosed(1006, 'offline');
    });
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN && this.welcomed;
  }

  start(): void {
    this.stopped = false;
    void this.open();
  }

  stop(reason: string): void {
    this.stopped = true;
    this.clearTimers();
    this.detach(1000, reason);
    this.hooks.status({ kind: 'stopped', reason });
  }

  /** Skip the rest of the backoff wait. */
  retryNow(): void {
    if (this.stopped || this.ws) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    void this.open();
  }

  /** Fire and forget; false when the socket is not open. */
  send<T extends ClientType>(type: T, data?: ClientDataOf<T>): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(data === undefined ? { type } : { type, data }));
    return true;
  }

  /** Sends with an id and resolves with the reply that carries it (rejects on an `error` reply). */
  request<T extends ClientType>(type: T, data: ClientDataOf<T>, timeoutMs = 10_000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.welcomed) {
        reject(new ServerError('disconnected', 'Not connected to the server; reconnecting.'));
        return;
      }
      const id = `c${this.nextId++}`;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ServerError('timeout', 'The server did not answer in time.'));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ type, id, data }));
    });
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    this.hooks.status(
      this.attempt === 0
        ? { kind: 'connecting' }
        : { kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now(), reason: 'connecting' },
    );
    let token: string;
    try {
      token = await this.hooks.token();
    } catch (error) {
      this.scheduleRetry(error instanceof Error ? error.message : 'server unreachable');
      return;
    }
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    this.welcomed = false;
    ws.onmessage = (event) => this.onMessage(ws, event);
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.onClosed(event.code, event.reason);
    };
    ws.onopen = () => {
      this.lastFrameAt = Date.now();
      this.startHeartbeat();
    };
  }

  private onMessage(ws: WebSocket, event: MessageEvent): void {
    if (this.ws !== ws) return;
    this.lastFrameAt = Date.now();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(event.data)) as ServerFrame;
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    if (frame.type === 'welcome') {
      this.welcomed = true;
      this.attempt = 0;
      this.hooks.status({ kind: 'open' });
    }
    if (frame.id && this.pending.has(frame.id)) {
      const pending = this.pending.get(frame.id)!;
      this.pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.type === 'error') pending.reject(new ServerError(frame.data.code, frame.data.message));
      else pending.resolve(frame);
      // An error that answered a request is reported to its caller only.
      if (frame.type === 'error') return;
    }
    this.hooks.frame(frame);
  }

  private onClosed(code: number, reason: string): void {
    this.detach(code === 1006 ? 4000 : undefined, reason);
    if (this.stopped) return;
    const decision = this.hooks.closed(code, reason);
    if (decision === 'stop') {
      this.stop(reason || `closed (${code})`);
      return;
    }
    if (decision === 'new-session') {
      this.attempt = 0;
      void this.open();
      return;
    }
    this.scheduleRetry(code === 1006 || !code ? 'connection lost' : `closed (${code})`);
  }

  private scheduleRetry(reason: string): void {
    if (this.stopped) return;
    this.attempt += 1;
    if (!navigator.onLine) reason = 'offline';
    const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.attempt - 1, 10));
    const delay = Math.round(exp / 2 + Math.random() * (exp / 2));
    this.hooks.status({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.open();
    }, delay);
  }

  private startHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!this.ws) return;
      if (Date.now() - this.lastFrameAt > DEAD_AFTER_MS) {
        // The link is dead without a close frame: give up on this socket now.
        this.onClosed(1006, 'heartbeat timeout');
        return;
      }
      this.send('ping');
    }, PING_EVERY_MS);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private detach(code?: number, reason?: string): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onopen = null;
      if (code !== undefined && ws.readyState <= WebSocket.OPEN) ws.close(code, reason);
    }
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new ServerError('disconnected', 'The connection to the server was lost.'));
      this.pending.delete(id);
    }
  }
}

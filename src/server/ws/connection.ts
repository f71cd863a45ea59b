/** One client socket: its session, rate limit, liveness, and how frames are written to it. */
import type { WebSocket } from 'ws';
import type { Outlet } from '../cluster/connection-registry.ts';
import type { SessionId } from '../core/ids.ts';
import type { Encoded } from './frames.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ConnectionSettings {
  burst: number;
  perSecond: number;
  /** Rate-limited frames within ABUSE_WINDOW_MS after which the socket is closed (4008). */
  abuseLimit: number;
  /** Told of every frame written (metrics). */
  onSend?: (type: string) => void;
}

const ABUSE_WINDOW_MS = 10_000;

export class Connection implements Outlet {
  lastSeenAt: number;
  private readonly bucket: TokenBucket;
  private abuseCount = 0;
  private abuseWindowStart = 0;

  constructor(
    readonly socket: WebSocket,
    readonly sessionId: SessionId,
    readonly ip: string | null,
    private readonly settings: ConnectionSettings,
    now: number,
  ) {
    this.lastSeenAt = now;
    this.bucket = new TokenBucket(settings.burst, settings.perSecond, now);
  }

  get open(): boolean {
    return this.socket.readyState === 1;
  }

  send(frame: Encoded): void {
    if (this.socket.readyState !== 1) return;
    this.socket.send(frame.text);
    this.settings.onSend?.(frame.type);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState <= 1) this.socket.close(code, reason);
  }

  /** 'ok', 'limited' (answer rate_limited) or 'abusive' (close 4008). */
  admit(now: number): 'ok' | 'limited' | 'abusive' {
    if (this.bucket.take(now)) return 'ok';
    if (now - this.abuseWindowStart > ABUSE_WINDOW_MS) {
      this.abuseWindowStart = now;
      this.abuseCount = 0;
    }
    return ++this.abuseCount > this.settings.abuseLimit ? 'abusive' : 'limited';
  }
}

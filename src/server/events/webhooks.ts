/**
 * Webhook delivery (PROTOCOL.md section 4). One worker per URL in WEBHOOK_URLS reads the durable
 * event log from that URL's persisted cursor and POSTs `{"events": [...]}` batches in `seq`
 * order, signed `X-Webhook-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The cursor advances (durably) only after a 2xx answer, so delivery is at least once and
 * resumes after a restart or a crash where it stopped. Failures are retried for ever with capped
 * exponential backoff and jitter. Each worker has at most one request in flight, bounded by a
 * timeout, and is woken by the bus after each commit: a slow or dead receiver never touches
 * the hot path and never piles up requests.
 */
import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import type { WebhookStatus } from '../../protocol/admin.ts';
import type { Config } from '../config.ts';
import { isoTime } from '../core/clock.ts';
import type { AppServices } from '../services.ts';
import type { EventRecord } from '../storage/store.ts';

export type WebhookConfig = Pick<
  Config,
  | 'WEBHOOK_URLS'
  | 'WEBHOOK_SECRET'
  | 'WEBHOOK_BATCH'
  | 'WEBHOOK_TIMEOUT_MS'
  | 'WEBHOOK_MIN_BACKOFF_MS'
  | 'WEBHOOK_MAX_BACKOFF_MS'
>;

/** One URL's delivery state, as `GET /api/admin/webhooks` shows it (protocol/admin.ts). */
export type WebhookState = z.infer<typeof WebhookStatus>;

export interface Webhooks {
  status(): WebhookState[];
  stop(): Promise<void>;
}

/** Signature header value for `body` at unix time `t` (seconds). */
export function signWebhook(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** The URL without secrets: user info and query values masked; path and host kept. */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    const keys = [...url.searchParams.keys()];
    url.search = '';
    for (const key of keys) url.searchParams.append(key, '***');
    return url.toString();
  } catch {
    return '[invalid url]';
  }
}

export function startWebhooks(
  services: Pick<AppServices, 'store' | 'bus' | 'clock' | 'log' | 'config' | 'version'>,
): Webhooks {
  const workers = services.config.WEBHOOK_URLS.map((url) => new HookWorker(url, services));
  const unsubscribe = workers.length
    ? services.bus.on(() => workers.forEach((worker) => worker.wake()))
    : () => {};
  for (const worker of workers) worker.start();
  return {
    status: () => workers.map((worker) => worker.state()),
    async stop() {
      unsubscribe();
      await Promise.all(workers.map((worker) => worker.stop()));
    },
  };
}

class HookWorker {
  private readonly shown: string;
  private cursor: number;
  private lastError: string | null;
  private failures = 0;
  private delivered = 0;
  private failedAttempts = 0;
  private lastSuccessAt: number | null = null;
  private nextAttemptAt: number | null = null;
  private stopped = false;
  private woken = false;
  private resume: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private controller: AbortController | null = null;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly services: Pick<AppServices, 'store' | 'bus' | 'clock' | 'log' | 'config' | 'version'>,
  ) {
    this.shown = displayUrl(url);
    const saved = services.store.getWebhookCursor(url);
    this.cursor = saved?.cursor ?? 0;
    this.lastError = saved?.lastError ?? null;
  }

  start(): void {
    this.done = this.run().catch((error: unknown) =>
      this.services.log.error({ err: error, webhook: this.shown }, 'webhook worker stopped unexpectedly'),
    );
  }

  /** New events were committed: cheap, called on the bus listener path. */
  wake(): void {
    this.woken = true;
    if (this.resume && this.nextAttemptAt === null) this.release();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.release();
    await this.done;
  }

  state(): WebhookState {
    const { store } = this.services;
    let lag = 0;
    let oldest: EventRecord | undefined;
    try {
      oldest = store.listEvents(this.cursor, 1)[0];
      if (oldest) lag = store.lastEventSeq() - oldest.seq + 1;
    } catch {
      /* store closed during shutdown */
    }
    return {
      url: this.shown,
      cursor: this.cursor,
      lag,
      last_error: this.lastError,
      consecutive_failures: this.failures,
      oldest_pending_at: oldest ? isoTime(oldest.at) : null,
      last_success_at: this.lastSuccessAt === null ? null : isoTime(this.lastSuccessAt),
      next_attempt_at: this.nextAttemptAt === null ? null : isoTime(this.nextAttemptAt),
      delivered_events: this.delivered,
      failed_attempts: this.failedAttempts,
    };
  }

  private release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const resume = this.resume;
    this.resume = null;
    resume?.();
  }

  /** Until woken (new events) or stopped. */
  private idle(): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve();
    return new Promise((resolve) => (this.resume = resolve));
  }

  /** For `ms`, or until stopped; new events do not cut a backoff short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.resume = resolve;
      this.timer = setTimeout(() => this.release(), ms);
    });
  }

  private async run(): Promise<void> {
    const { store, config, clock, log } = this.services;
    while (!this.stopped) {
      this.woken = false;
      let events: EventRecord[];
      try {
        events = store.listEvents(this.cursor, config.WEBHOOK_BATCH);
      } catch (error) {
        if (this.stopped) return;
        log.error({ err: error, webhook: this.shown }, 'webhook could not read the event log');
        await this.backoff();
        continue;
      }
      if (events.length === 0) {
        await this.idle();
        continue;
      }
      const error = await this.post(events);
      if (this.stopped && error !== null) return;
      if (error === null) {
        const last = events.at(-1)!.seq;
        this.cursor = last;
        this.delivered += events.length;
        this.failures = 0;
        this.lastError = null;
        this.lastSuccessAt = clock.now();
        this.persist();
      } else {
        this.failures++;
        this.failedAttempts++;
        if (this.lastError !== error || this.failures === 1) {
          log.warn(
            { webhook: this.shown, error, failures: this.failures, cursor: this.cursor },
            'webhook delivery failed',
          );
        }
        this.lastError = error;
        this.persist();
        await this.backoff();
      }
    }
  }

  private async backoff(): Promise<void> {
    const { WEBHOOK_MIN_BACKOFF_MS: min, WEBHOOK_MAX_BACKOFF_MS: max } = this.services.config;
    const exp = Math.min(max, min * 2 ** Math.min(this.failures - 1, 30));
    const delay = Math.round(exp / 2 + (Math.random() * exp) / 2);
    this.nextAttemptAt = this.services.clock.now() + delay;
    await this.sleep(delay);
    this.nextAttemptAt = null;
  }

  private persist(): void {
    try {
      this.services.store.putWebhookCursor({
        url: this.url,
        cursor: this.cursor,
        lastError: this.lastError,
        updatedAt: this.services.clock.now(),
      });
    } catch (error) {
      if (!this.stopped)
        this.services.log.error({ err: error, webhook: this.shown }, 'webhook cursor not saved');
    }
  }

  /** One attempt; null on a 2xx answer, else a short description of the failure. */
  private async post(events: EventRecord[]): Promise<string | null> {
    const { config, clock, version } = this.services;
    const body = JSON.stringify({
      events: events.map((event) => ({
        seq: event.seq,
        type: event.type,
        at: isoTime(event.at),
        data: event.data,
      })),
    });
    const t = Math.floor(clock.now() / 1000);
    const controller = (this.controller = new AbortController());
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, config.WEBHOOK_TIMEOUT_MS);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `voicebot-webhooks/${version}`,
          'x-webhook-signature': signWebhook(config.WEBHOOK_SECRET ?? '', t, body),
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel().catch(() => {});
      return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
    } catch (error) {
      if (timedOut) return `timeout after ${config.WEBHOOK_TIMEOUT_MS} ms`;
      if (this.stopped) return 'stopped';
      const cause = (error as { cause?: { code?: unknown } }).cause;
      return typeof cause?.code === 'string' ? `connection failed (${cause.code})` : 'connection failed';
    } finally {
      clearTimeout(timeout);
      this.controller = null;
    }
  }
}

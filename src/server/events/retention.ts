/**
 * Event-log retention: events older than EVENT_RETENTION_DAYS, or beyond the newest
 * EVENT_RETENTION_COUNT, are deleted from the front of the log. `seq` numbering continues (the
 * newest event is always kept), and nothing a webhook has not yet delivered is removed.
 */
import type { Config } from '../config.ts';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../storage/store.ts';

export type RetentionConfig = Pick<Config, 'EVENT_RETENTION_DAYS' | 'EVENT_RETENTION_COUNT' | 'WEBHOOK_URLS'>;

const DAY_MS = 86_400_000;

export function pruneEventLog(store: Store, clock: Clock, config: RetentionConfig): number {
  const last = store.lastEventSeq();
  let limit = last;
  for (const url of config.WEBHOOK_URLS) limit = Math.min(limit, store.getWebhookCursor(url)?.cursor ?? 0);
  let removed = 0;
  if (config.EVENT_RETENTION_DAYS > 0) {
    removed += store.pruneEvents(limit, clock.now() - config.EVENT_RETENTION_DAYS * DAY_MS);
  }
  if (config.EVENT_RETENTION_COUNT > 0) {
    removed += store.pruneEvents(
      Math.min(limit, last - config.EVENT_RETENTION_COUNT),
      Number.MAX_SAFE_INTEGER,
    );
  }
  return removed;
}

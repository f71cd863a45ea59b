/** Admin API bodies (PROTOCOL.md "Admin API"); requests are strict. */
import { z } from 'zod';
import { Timestamp } from './entities.ts';

export const AdminSession = z.object({
  id: z.string(),
  name: z.string().nullable(),
  is_bot: z.boolean(),
  connected: z.boolean(),
  lobby_ids: z.array(z.string()),
  created_at: Timestamp,
  last_seen_at: Timestamp,
});
export const AdminSessionList = z.object({ sessions: z.array(AdminSession) });

export const CleanupBody = z.strictObject({ max_idle_seconds: z.number().int().min(0).optional() });
export const CleanupResponse = z.object({ removed: z.number().int() });

export const ProtectedName = z.object({ name: z.string(), protected_at: Timestamp });
export const ProtectedNameList = z.object({ names: z.array(ProtectedName) });

export const EventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export const LoggedEvent = z.object({
  seq: z.number().int(),
  type: z.string(),
  at: Timestamp,
  data: z.record(z.string(), z.unknown()),
});
export const EventPage = z.object({ events: z.array(LoggedEvent), next_after: z.number().int() });

export const CreateBanBody = z
  .strictObject({
    session_id: z.string().min(1).max(128).optional(),
    ip: z.string().min(1).max(64).optional(),
    name: z.string().min(1).max(128).optional(),
    reason: z.string().min(1).max(500),
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((ban) => ban.session_id !== undefined || ban.ip !== undefined || ban.name !== undefined, {
    message: 'a ban needs a session_id, an ip or a name',
  });
export type CreateBanBody = z.infer<typeof CreateBanBody>;
export const Ban = z.object({
  id: z.string(),
  session_id: z.string().nullable(),
  ip: z.string().nullable(),
  name: z.string().nullable(),
  reason: z.string(),
  created_at: Timestamp,
  expires_at: Timestamp.nullable(),
});
export type Ban = z.infer<typeof Ban>;
export const BanResponse = z.object({ ban: Ban });
export const BanList = z.object({ bans: z.array(Ban) });

export const WebhookStatus = z.object({
  url: z.string().describe('the URL with credentials and query values masked'),
  cursor: z.number().int().describe('seq of the last event the receiver acknowledged (0: none yet)'),
  lag: z.number().int().describe('events in the log after the cursor'),
  last_error: z.string().nullable().describe('why the last attempt failed; null after a success'),
  consecutive_failures: z.number().int().describe('failed attempts since the last success'),
  oldest_pending_at: Timestamp.nullable().describe('when the oldest unacknowledged event happened'),
  last_success_at: Timestamp.nullable(),
  next_attempt_at: Timestamp.nullable().describe('set while waiting to retry'),
  delivered_events: z.number().int().describe('events acknowledged since start'),
  failed_attempts: z.number().int().describe('failed attempts since start'),
});
export const WebhookList = z.object({ webhooks: z.array(WebhookStatus) });

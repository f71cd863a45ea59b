/**
 * Frames of the bot provider socket `/ws/providers?key=<provider key>` (PROTOCOL.md section 3).
 * Same envelope as `/ws`: `{type, id?, data?}`.
 */
import { z } from 'zod';

export const BotCapability = z.enum(['listen', 'speak', 'chat']);
export type BotCapability = z.infer<typeof BotCapability>;

export const BotDefinition = z.strictObject({
  name: z.string().min(1).max(64),
  description: z.string().max(500),
  capabilities: z.array(BotCapability),
});
export type BotDefinition = z.infer<typeof BotDefinition>;

/** Provider to server. */
export const ProviderData = {
  register: z.strictObject({ provider: z.string().min(1).max(64), bots: z.array(BotDefinition).max(100) }),
  spawned: z.strictObject({ request_id: z.string(), session_id: z.string() }),
  spawn_failed: z.strictObject({
    request_id: z.string(),
    code: z.string().max(64),
    message: z.string().max(500),
  }),
  bot_ended: z.strictObject({ session_id: z.string().max(128), reason: z.string().max(200) }),
  ping: z.strictObject({}).optional(),
} as const;
export type ProviderType = keyof typeof ProviderData;
export type ProviderDataOf<T extends ProviderType> = z.infer<(typeof ProviderData)[T]>;

/** Server to provider. */
export const ProviderServerData = {
  registered: z.object({ provider: z.string(), bots: z.array(z.string()) }),
  spawn: z.object({
    request_id: z.string(),
    bot: z.string(),
    lobby_id: z.string(),
    name: z.string(),
    token: z.string().describe('the bot session token; secret'),
  }),
  despawn: z.object({ session_id: z.string() }),
  pong: z.object({}).optional(),
  error: z.object({ code: z.string(), message: z.string() }),
} as const;
export type ProviderServerType = keyof typeof ProviderServerData;
export type ProviderServerDataOf<T extends ProviderServerType> = z.infer<(typeof ProviderServerData)[T]>;

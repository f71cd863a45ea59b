import { z } from 'zod';

/** ISO 8601 UTC timestamp, as in every field ending `_at`. */
export const Timestamp = z.string().describe('ISO 8601 UTC time');

export const Session = z.object({
  id: z.string(),
  name: z.string().nullable(),
  protected: z.boolean(),
  is_bot: z.boolean(),
  created_at: Timestamp,
});
export type Session = z.infer<typeof Session>;

export const ParticipantState = z.object({ muted: z.boolean(), speaking: z.boolean() });
export type ParticipantState = z.infer<typeof ParticipantState>;

export const Participant = z.object({
  session_id: z.string(),
  name: z.string(),
  is_bot: z.boolean(),
  state: ParticipantState,
});
export type Participant = z.infer<typeof Participant>;

export const Lobby = z.object({
  id: z.string(),
  name: z.string(),
  private: z.boolean(),
  created_at: Timestamp,
  participants: z.array(Participant).optional(),
});
export type Lobby = z.infer<typeof Lobby>;

export const LobbySummary = z.object({
  id: z.string(),
  name: z.string(),
  private: z.literal(false),
  participants: z.number().int(),
  created_at: Timestamp,
});
export type LobbySummary = z.infer<typeof LobbySummary>;

export const ChatMessage = z.object({
  id: z.string(),
  lobby_id: z.string(),
  sender_id: z.string(),
  sender_name: z.string(),
  text: z.string(),
  sent_at: Timestamp,
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const BotInfo = z.object({
  name: z.string(),
  description: z.string(),
  provider: z.string(),
  capabilities: z.array(z.enum(['listen', 'speak', 'chat'])),
});
export type BotInfo = z.infer<typeof BotInfo>;

export const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof IceServer>;

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

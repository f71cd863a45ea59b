/** HTTP bodies and queries of `/api` (PROTOCOL.md section 1). Request bodies are strict. */
import { z } from 'zod';
import { BotInfo, ChatMessage, Lobby, LobbySummary, Session } from './entities.ts';
import { CHAT_PAGE_MAX } from './text-rules.ts';

export const CreateSessionResponse = z.object({ session: Session, token: z.string() });
export const SessionResponse = z.object({ session: Session });

export const CreateLobbyBody = z.strictObject({
  name: z.string().max(1024),
  private: z.boolean().optional(),
});
export type CreateLobbyBody = z.infer<typeof CreateLobbyBody>;
export const LobbyResponse = z.object({ lobby: Lobby });
export const LobbyListResponse = z.object({ lobbies: z.array(LobbySummary) });

export const ChatQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(CHAT_PAGE_MAX).optional(),
  before: z.string().min(1).max(128).optional(),
});
export const ChatResponse = z.object({ messages: z.array(ChatMessage) });

export const BotListResponse = z.object({ bots: z.array(BotInfo) });
export const AddBotBody = z.strictObject({
  bot: z.string().min(1).max(64),
  name: z.string().max(1024).optional(),
});
export const AddBotResponse = z.object({ session_id: z.string(), name: z.string() });

export const HealthResponse = z.object({
  status: z.literal('ok'),
  architecture: z.literal('modular'),
  version: z.string(),
  managers: z.object({
    session_manager: z.string(),
    lobby_manager: z.string(),
    auth_manager: z.string(),
    websocket_manager: z.string(),
  }),
  statistics: z.object({ sessions: z.number(), lobbies: z.number(), protected_names: z.number() }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

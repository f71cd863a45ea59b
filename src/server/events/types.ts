/**
 * Every state change is one of these events (PROTOCOL.md section 4). Data hold ids and names,
 * never a token or a password.
 */
import type { ChatMessage, Participant } from '../../protocol/entities.ts';

export interface EventData {
  'session.created': { session_id: string; is_bot: boolean };
  'session.renamed': { session_id: string; name: string; previous: string | null };
  'session.connected': { session_id: string; ip: string | null };
  'session.disconnected': { session_id: string; reason: string };
  'session.removed': { session_id: string; reason: string };
  'name.protected': { name: string; session_id: string };
  'name.unprotected': { name: string; by: string };
  'lobby.created': { lobby_id: string; name: string; private: boolean; by: string };
  'lobby.deleted': { lobby_id: string; reason: string };
  'lobby.joined': { lobby_id: string; participant: Participant };
  'lobby.left': { lobby_id: string; session_id: string; reason: string };
  'chat.sent': { message: ChatMessage };
  'bot.spawned': { lobby_id: string; session_id: string; bot: string; provider: string };
  'bot.removed': { lobby_id: string; session_id: string; reason: string };
  'admin.action': { action: string; target?: string; details?: Record<string, unknown> };
}

export type EventType = keyof EventData;

export interface BusEvent<T extends EventType = EventType> {
  type: T;
  at: number;
  data: EventData[T];
  /** Set once the event log has stored it. */
  seq?: number;
}

export const EVENT_TYPES: EventType[] = [
  'session.created',
  'session.renamed',
  'session.connected',
  'session.disconnected',
  'session.removed',
  'name.protected',
  'name.unprotected',
  'lobby.created',
  'lobby.deleted',
  'lobby.joined',
  'lobby.left',
  'chat.sent',
  'bot.spawned',
  'bot.removed',
  'admin.action',
];

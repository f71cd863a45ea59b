/** ChatManager: chat messages, stored (with their event) before anyone is told of them. */
import type { ChatMessage } from '../../protocol/entities.ts';
import { CHAT_PAGE_DEFAULT, normalizeChatText } from '../../protocol/text-rules.ts';
import { atomically } from './atomically.ts';
import type { EventBus } from '../events/bus.ts';
import type { ChatRecord, Store } from '../storage/store.ts';
import { isoTime, type Clock } from './clock.ts';
import { AppError } from './errors.ts';
import type { LobbyId, SessionId } from './ids.ts';
import type { LobbyManager } from './lobby-manager.ts';
import type { SessionManager } from './session-manager.ts';

export interface ChatDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  sessions: SessionManager;
  lobbies: LobbyManager;
}

export const chatView = (record: ChatRecord): ChatMessage => ({
  id: String(record.id),
  lobby_id: record.lobbyId,
  sender_id: record.senderId,
  sender_name: record.senderName,
  text: record.text,
  sent_at: isoTime(record.sentAt),
});

export class ChatManager {
  constructor(private readonly deps: ChatDeps) {}

  /** Stores the message; listeners (fan-out) hear `chat.sent` only after it is committed. */
  send(lobbyId: string, sessionId: SessionId, rawText: string): ChatMessage {
    const { store, bus, clock, sessions, lobbies } = this.deps;
    if (!lobbies.isMember(lobbyId, sessionId)) throw new AppError('not_in_lobby');
    const text = normalizeChatText(rawText);
    if (text === null) throw new AppError('invalid_message');
    const sender = sessions.require(sessionId);
    return atomically(store, bus, () => {
      const record = {
        lobbyId: lobbyId as LobbyId,
        senderId: sessionId,
        senderName: sender.name ?? '',
        text,
        sentAt: clock.now(),
      };
      const message = chatView({ ...record, id: store.insertChat(record) });
      bus.emit('chat.sent', { message });
      return message;
    });
  }

  /** Up to `limit` messages before message `before`, oldest first. */
  history(lobbyId: string, limit = CHAT_PAGE_DEFAULT, before?: string): ChatMessage[] {
    const lobby = this.deps.lobbies.require(lobbyId);
    let beforeId: number | undefined;
    if (before !== undefined) {
      beforeId = Number(before);
      if (!Number.isSafeInteger(beforeId) || beforeId < 0)
        throw new AppError('invalid_request', '`before` must be a message id.');
    }
    return this.deps.store.listChat(lobby.id, limit, beforeId).map(chatView);
  }
}

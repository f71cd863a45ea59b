/**
 * Tells sockets about committed state changes: listens on the event bus and sends each affected
 * participant its frames. The actor's own reply is sent by its handler; this reaches the others,
 * and everyone touched by changes no socket asked for (grace expiry, admin actions).
 */
import { CLOSE_CODES } from '../../protocol/errors.ts';
import type { EventBus } from '../events/bus.ts';
import type { BusEvent, EventData, EventType } from '../events/types.ts';
import type { SessionId } from '../core/ids.ts';
import { encode, type Encoded } from './frames.ts';
import type { WsServices } from './services.ts';

type Reactions = { [T in EventType]?: (data: EventData[T]) => void };

export function startNotifier(
  bus: EventBus,
  { lobbies, registry }: Pick<WsServices, 'lobbies' | 'registry'>,
): () => void {
  const toOthers = (lobbyId: string, except: string, frame: Encoded): void => {
    for (const member of lobbies.memberIds(lobbyId)) if (member !== except) registry.send(member, frame);
  };

  const reactions: Reactions = {
    'lobby.joined': ({ lobby_id, participant }) => {
      const me = participant.session_id;
      toOthers(lobby_id, me, encode('participant_joined', { lobby_id, participant }));
      const peer = {
        lobby_id,
        peer_id: me,
        peer_name: participant.name,
        is_bot: participant.is_bot,
        should_create_offer: false,
      };
      toOthers(lobby_id, me, encode('add_peer', peer));
    },
    'lobby.left': ({ lobby_id, session_id, reason }) => {
      if (reason === 'lobby_closed') {
        registry.send(session_id, encode('lobby_closed', { lobby_id, reason: 'closed by the operator' }));
        return;
      }
      toOthers(lobby_id, session_id, encode('participant_left', { lobby_id, session_id }));
      toOthers(lobby_id, session_id, encode('remove_peer', { lobby_id, peer_id: session_id }));
    },
    'chat.sent': ({ message }) =>
      toOthers(message.lobby_id, message.sender_id, encode('chat_message', message)),
    'session.renamed': ({ session_id }) => {
      for (const lobbyId of lobbies.lobbiesOf(session_id as SessionId)) {
        const participant = lobbies.participant(session_id as SessionId);
        toOthers(lobbyId, session_id, encode('participant_updated', { lobby_id: lobbyId, participant }));
      }
    },
    'session.removed': ({ session_id, reason }) => {
      const connection = registry.get(session_id);
      if (!connection) return;
      connection.send(encode('kicked', { reason, banned: reason === 'banned' }));
      connection.close(CLOSE_CODES.kicked, 'kicked');
    },
  };

  return bus.on((event: BusEvent) => {
    const react = reactions[event.type] as ((data: unknown) => void) | undefined;
    react?.(event.data);
  });
}

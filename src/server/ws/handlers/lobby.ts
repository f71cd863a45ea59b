import { encode } from '../frames.ts';
import type { Handler, WsServices } from '../services.ts';

export const joinLobby =
  ({ lobbies, chat, registry }: Pick<WsServices, 'lobbies' | 'chat' | 'registry'>): Handler<'join_lobby'> =>
  ({ connection, id, data }) => {
    const me = connection.sessionId;
    // A new participant is announced to the others by the notifier (on lobby.joined) during join().
    const { lobby, participants, isNew } = lobbies.join(data.lobby_id, me);
    const self = participants.find((participant) => participant.session_id === me)!;
    const others = participants.filter((participant) => participant.session_id !== me);
    if (!isNew) {
      // A re-join (say, after a page reload): everyone restarts their connection with us.
      const restart = encode('add_peer', {
        lobby_id: lobby.id,
        peer_id: me,
        peer_name: self.name,
        is_bot: self.is_bot,
        should_create_offer: false,
      });
      for (const other of others) registry.send(other.session_id, restart);
    }
    connection.send(
      encode('lobby_joined', { lobby: lobbies.view(lobby), participants, chat: chat.history(lobby.id) }, id),
    );
    for (const other of others) {
      connection.send(
        encode('add_peer', {
          lobby_id: lobby.id,
          peer_id: other.session_id,
          peer_name: other.name,
          is_bot: other.is_bot,
          should_create_offer: true,
        }),
      );
    }
  };

export const leaveLobby =
  ({ lobbies }: Pick<WsServices, 'lobbies'>): Handler<'leave_lobby'> =>
  ({ connection, id, data }) => {
    lobbies.leave(data.lobby_id, connection.sessionId);
    connection.send(encode('lobby_left', { lobby_id: data.lobby_id }, id));
  };

export const updateState =
  ({ lobbies, registry }: Pick<WsServices, 'lobbies' | 'registry'>): Handler<'update_state'> =>
  ({ connection, data }) => {
    const me = connection.sessionId;
    const patch = {
      ...(data.muted !== undefined && { muted: data.muted }),
      ...(data.speaking !== undefined && { speaking: data.speaking }),
    };
    const state = lobbies.updateState(data.lobby_id, me, patch);
    if (!state) return;
    const frame = encode('peer_state', { lobby_id: data.lobby_id, peer_id: me, state });
    for (const member of lobbies.memberIds(data.lobby_id)) if (member !== me) registry.send(member, frame);
  };

/**
 * The hot path: SDP and ICE relayed between two members of the same lobby. Membership is two
 * in-memory lookups; nothing is stored or logged.
 */
import { AppError } from '../../core/errors.ts';
import { encode } from '../frames.ts';
import type { Handler, WsServices } from '../services.ts';

type Deps = Pick<WsServices, 'lobbies' | 'registry'>;

function assertPeers({ lobbies }: Deps, lobbyId: string, me: string, peer: string): void {
  if (peer === me || !lobbies.isMember(lobbyId, me) || !lobbies.isMember(lobbyId, peer)) {
    throw new AppError('unknown_peer');
  }
}

export const relaySdp =
  (deps: Deps): Handler<'relay_sdp'> =>
  ({ connection, data }) => {
    const me = connection.sessionId;
    assertPeers(deps, data.lobby_id, me, data.peer_id);
    deps.registry.send(
      data.peer_id,
      encode('sdp', { lobby_id: data.lobby_id, peer_id: me, description: data.description }),
    );
  };

export const relayIce =
  (deps: Deps): Handler<'relay_ice'> =>
  ({ connection, data }) => {
    const me = connection.sessionId;
    assertPeers(deps, data.lobby_id, me, data.peer_id);
    deps.registry.send(
      data.peer_id,
      encode('ice', { lobby_id: data.lobby_id, peer_id: me, candidate: data.candidate }),
    );
  };

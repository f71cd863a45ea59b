/**
 * The hot path: SDP and ICE relayed between two members of the same lobby. Membership is one
 * in-memory map lookup; the frame out is spliced, not rebuilt; nothing is stored or logged.
 */
import { AppError } from '../../core/errors.ts';
import { encodeRelay } from '../frames.ts';
import type { Handler, WsServices } from '../services.ts';

type Deps = Pick<WsServices, 'lobbies' | 'registry'>;

function assertPeers({ lobbies }: Deps, lobbyId: string, me: string, peer: string): void {
  if (peer === me || !lobbies.areMembers(lobbyId, me, peer)) throw new AppError('unknown_peer');
}

export const relaySdp =
  (deps: Deps): Handler<'relay_sdp'> =>
  ({ connection, data }) => {
    const me = connection.sessionId;
    assertPeers(deps, data.lobby_id, me, data.peer_id);
    deps.registry.send(data.peer_id, encodeRelay('sdp', data.lobby_id, me, 'description', data.description));
  };

export const relayIce =
  (deps: Deps): Handler<'relay_ice'> =>
  ({ connection, data }) => {
    const me = connection.sessionId;
    assertPeers(deps, data.lobby_id, me, data.peer_id);
    deps.registry.send(data.peer_id, encodeRelay('ice', data.lobby_id, me, 'candidate', data.candidate));
  };

/** The handler table: one entry per client message type (no switch). */
import type { HandlerTable, WsServices } from '../services.ts';
import { getChat, sendChat } from './chat.ts';
import { joinLobby, leaveLobby, updateState } from './lobby.ts';
import { ping, setName } from './session.ts';
import { relayIce, relaySdp } from './signaling.ts';

export function createHandlers(services: WsServices): HandlerTable {
  return {
    set_name: setName(services),
    join_lobby: joinLobby(services),
    leave_lobby: leaveLobby(services),
    send_chat: sendChat(services),
    get_chat: getChat(services),
    relay_sdp: relaySdp(services),
    relay_ice: relayIce(services),
    update_state: updateState(services),
    ping: ping(),
  };
}

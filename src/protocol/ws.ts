/**
 * WebSocket frames of `/ws` (PROTOCOL.md section 2). Every frame is `{type, id?, data?}`.
 * Client frames are strict: unknown fields are rejected with `invalid_frame`.
 */
import { z } from 'zod';
import { ChatMessage, IceServer, Lobby, Participant, ParticipantState, Session } from './entities.ts';
import { CHAT_PAGE_MAX } from './text-rules.ts';

const Id = z.string().min(1).max(128);
const ShortText = z.string().max(4096);

export const SessionDescription = z.strictObject({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.string().max(60_000).optional(),
});

export const IceCandidate = z
  .strictObject({
    candidate: z.string().max(1024),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(1024).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  })
  .nullable();

/** `data` of each client-to-server message type. */
export const ClientData = {
  set_name: z.strictObject({ name: ShortText, password: ShortText.optional() }),
  join_lobby: z.strictObject({ lobby_id: Id }),
  leave_lobby: z.strictObject({ lobby_id: Id }),
  send_chat: z.strictObject({ lobby_id: Id, text: z.string().max(16_000) }),
  get_chat: z.strictObject({
    lobby_id: Id,
    before: Id.optional(),
    limit: z.number().int().min(1).max(CHAT_PAGE_MAX).optional(),
  }),
  relay_sdp: z.strictObject({ lobby_id: Id, peer_id: Id, description: SessionDescription }),
  relay_ice: z.strictObject({ lobby_id: Id, peer_id: Id, candidate: IceCandidate }),
  update_state: z.strictObject({
    lobby_id: Id,
    muted: z.boolean().optional(),
    speaking: z.boolean().optional(),
  }),
  ping: z.strictObject({}).optional(),
} as const;

export type ClientType = keyof typeof ClientData;
export type ClientDataOf<T extends ClientType> = z.infer<(typeof ClientData)[T]>;
export const CLIENT_TYPES = Object.keys(ClientData) as ClientType[];

/** The envelope every frame shares. */
export const Envelope = z.strictObject({
  type: z.string().max(64),
  id: z.string().max(128).optional(),
  data: z.unknown().optional(),
});

/** `data` of each server-to-client message type. */
export const ServerData = {
  welcome: z.object({
    session: Session,
    ice_servers: z.array(IceServer),
    server: z.object({ version: z.string() }),
    lobby_ids: z
      .array(z.string())
      .describe('lobbies this session is still in (reconnect inside the grace window)'),
  }),
  name_set: z.object({ name: z.string(), protected: z.boolean() }),
  lobby_joined: z.object({ lobby: Lobby, participants: z.array(Participant), chat: z.array(ChatMessage) }),
  lobby_left: z.object({ lobby_id: z.string() }),
  chat_message: ChatMessage,
  chat_history: z.object({ lobby_id: z.string(), messages: z.array(ChatMessage) }),
  sdp: z.object({ lobby_id: z.string(), peer_id: z.string(), description: SessionDescription }),
  ice: z.object({ lobby_id: z.string(), peer_id: z.string(), candidate: IceCandidate }),
  peer_state: z.object({ lobby_id: z.string(), peer_id: z.string(), state: ParticipantState }),
  pong: z.object({}).optional(),
  participant_joined: z.object({ lobby_id: z.string(), participant: Participant }),
  participant_left: z.object({ lobby_id: z.string(), session_id: z.string() }),
  participant_updated: z
    .object({ lobby_id: z.string(), participant: Participant })
    .describe('a participant changed its name (added to the contract)'),
  add_peer: z.object({
    lobby_id: z.string(),
    peer_id: z.string(),
    peer_name: z.string(),
    is_bot: z.boolean(),
    should_create_offer: z.boolean(),
  }),
  remove_peer: z.object({ lobby_id: z.string(), peer_id: z.string() }),
  lobby_closed: z.object({ lobby_id: z.string(), reason: z.string() }),
  kicked: z.object({ reason: z.string(), banned: z.boolean() }),
  error: z.object({ code: z.string(), message: z.string() }),
} as const;

export type ServerType = keyof typeof ServerData;
export type ServerDataOf<T extends ServerType> = z.infer<(typeof ServerData)[T]>;

/** A frame as the client receives it. */
export type ServerFrame = {
  [T in ServerType]: { type: T; id?: string; data: ServerDataOf<T> };
}[ServerType];

/** A frame as the client sends it. */
export type ClientFrame = {
  [T in ClientType]: { type: T; id?: string; data?: ClientDataOf<T> };
}[ClientType];

/** One-line descriptions, used to generate docs/protocol.md. */
export const CLIENT_DOC: Record<ClientType, string> = {
  set_name:
    '`name_set {name, protected}`. Errors: invalid_name, invalid_password, name_in_use, name_protected, too_many_attempts, banned',
  join_lobby:
    '`lobby_joined {lobby, participants, chat}`; others get `participant_joined` and `add_peer`. Errors: name_required, unknown_lobby, lobby_full, banned',
  leave_lobby:
    '`lobby_left {lobby_id}`; others get `participant_left` and `remove_peer`. Error: not_in_lobby',
  send_chat:
    'every participant, sender included, gets `chat_message` (stored first). Errors: not_in_lobby, invalid_message',
  get_chat: '`chat_history {lobby_id, messages}`, oldest first. Errors: unknown_lobby',
  relay_sdp: 'the peer gets `sdp {lobby_id, peer_id: sender, description}`. Error: unknown_peer',
  relay_ice: 'the peer gets `ice {lobby_id, peer_id: sender, candidate}`. Error: unknown_peer',
  update_state: 'others get `peer_state {lobby_id, peer_id, state}` on each change. Error: not_in_lobby',
  ping: '`pong`',
};

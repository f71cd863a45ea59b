/**
 * Every error the server can answer, HTTP or WebSocket, with its stable machine-readable code.
 * The code is the contract; the message is for humans and may change.
 */
export const ERROR_CODES = {
  // generic input errors
  invalid_json: 'The frame or body is not valid JSON.',
  invalid_frame: 'The frame does not match the protocol (missing, extra or wrongly typed fields).',
  unknown_type: 'Unknown message type.',
  invalid_request: 'The request does not match the API (missing, extra or wrongly typed fields).',
  frame_too_large: 'The WebSocket frame is larger than 64 KiB.',
  payload_too_large: 'The request body is larger than 64 KiB.',
  not_found: 'No such resource.',
  rate_limited: 'Too many messages; slow down.',
  internal_error: 'Internal server error.',
  // auth
  unauthorized: 'A valid session token is required.',
  admin_required: 'A valid admin token is required.',
  banned: 'This session, address or name is banned.',
  // names
  invalid_name: 'A name is 1-32 characters, without control or format characters.',
  invalid_password: 'A password is 8-128 characters.',
  name_in_use: 'Another connected user has that name.',
  name_protected: 'That name is protected by a password; give the right password.',
  too_many_attempts: 'Too many failed password attempts; try again later.',
  name_required: 'Set a name before joining a lobby.',
  // lobbies and chat
  invalid_lobby_name: 'A lobby name is 1-64 characters, without control or format characters.',
  unknown_lobby: 'No such lobby.',
  lobby_full: 'The lobby is full.',
  not_in_lobby: 'You are not a participant of that lobby.',
  invalid_message: 'A chat message is 1-2000 characters.',
  unknown_peer: 'That peer is not in this lobby with you.',
  unknown_session: 'No such session.',
  // bots
  unknown_bot: 'No provider offers a bot of that name.',
  provider_unavailable: 'The bot provider is not connected or did not answer.',
  // admin
  unknown_ban: 'No such ban.',
  unknown_name: 'No such protected name.',
  unknown_webhook: 'No such webhook.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** HTTP status for each error code when it is answered over HTTP. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_frame: 400,
  unknown_type: 400,
  invalid_request: 400,
  frame_too_large: 413,
  payload_too_large: 413,
  not_found: 404,
  rate_limited: 429,
  internal_error: 500,
  unauthorized: 401,
  admin_required: 401,
  banned: 403,
  invalid_name: 400,
  invalid_password: 400,
  name_in_use: 409,
  name_protected: 403,
  too_many_attempts: 429,
  name_required: 409,
  invalid_lobby_name: 400,
  unknown_lobby: 404,
  lobby_full: 409,
  not_in_lobby: 403,
  invalid_message: 400,
  unknown_peer: 404,
  unknown_session: 404,
  unknown_bot: 404,
  provider_unavailable: 503,
  unknown_ban: 404,
  unknown_name: 404,
  unknown_webhook: 404,
};

/** WebSocket close codes the server uses. */
export const CLOSE_CODES = {
  going_away: 1001,
  message_too_big: 1009,
  unauthorized: 4001,
  replaced: 4002,
  kicked: 4003,
  rate_limited: 4008,
} as const;

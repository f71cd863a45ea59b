import { ERROR_CODES } from '../../src/protocol/errors.ts';

/** What a person reads for each server error code; falls back to the server's own message. */
const FRIENDLY: Partial<Record<string, string>> = {
  name_in_use: 'Someone connected right now already uses that name. Pick another one.',
  name_protected:
    'That name is protected by a password. Enter its password to sign in to it, or pick another name.',
  invalid_name: 'A name is 1–32 characters, without control characters.',
  invalid_password: 'A password is 8–128 characters.',
  too_many_attempts: 'Too many wrong passwords for that name. Wait a while and try again.',
  name_required: 'Pick a name before joining a lobby.',
  banned: 'You are banned from this server.',
  invalid_lobby_name: 'A lobby name is 1–64 characters, without control characters.',
  unknown_lobby: 'This lobby does not exist (any more). Check the link, or pick another lobby.',
  lobby_full: 'This lobby is full. Try again later or pick another lobby.',
  not_in_lobby: 'You are not in this lobby any more. Join it again.',
  invalid_message: 'A chat message is 1–2000 characters.',
  rate_limited: 'You are sending too fast. Slow down for a moment.',
  unauthorized: 'Your session has expired. A new one is being started.',
  unknown_peer: 'That participant has left the lobby.',
  unknown_bot: 'That bot is not available.',
  provider_unavailable: 'The bot service is not available right now.',
  frame_too_large: 'That message is too large.',
  payload_too_large: 'That request is too large.',
  internal_error: 'The server hit an internal error. Try again.',
};

export function errorMessage(code: string, fallback?: string): string {
  return FRIENDLY[code] ?? (ERROR_CODES as Record<string, string>)[code] ?? fallback ?? `Error: ${code}`;
}

/** An error answered by the server (HTTP body or WebSocket error frame). */
export class ServerError extends Error {
  constructor(
    readonly code: string,
    serverMessage: string,
  ) {
    super(errorMessage(code, serverMessage));
    this.name = 'ServerError';
  }
}

/** Encoding of server-to-client frames: one JSON string, built once per frame. */
import { ERROR_CODES, type ErrorCode } from '../../protocol/errors.ts';
import type { ServerDataOf, ServerType } from '../../protocol/ws.ts';

export function encode<T extends ServerType>(type: T, data: ServerDataOf<T>, id?: string): string {
  return id === undefined ? JSON.stringify({ type, data }) : JSON.stringify({ type, id, data });
}

export function encodeError(code: ErrorCode, message: string = ERROR_CODES[code], id?: string): string {
  return encode('error', { code, message }, id);
}

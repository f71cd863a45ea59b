/** Encoding of server-to-client frames: one JSON string per frame, built once however many receive it. */
import { ERROR_CODES, type ErrorCode } from '../../protocol/errors.ts';
import type { ServerDataOf, ServerType } from '../../protocol/ws.ts';

/** A frame ready for the wire; its type is kept for the per-type metrics. */
export interface Encoded {
  readonly type: ServerType;
  readonly text: string;
}

export function encode<T extends ServerType>(type: T, data: ServerDataOf<T>, id?: string): Encoded {
  return {
    type,
    text: id === undefined ? JSON.stringify({ type, data }) : JSON.stringify({ type, id, data }),
  };
}

export function encodeError(code: ErrorCode, message: string = ERROR_CODES[code], id?: string): Encoded {
  return encode('error', { code, message }, id);
}

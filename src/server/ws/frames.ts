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

/**
 * `{"type":"ice"|"sdp","data":{"lobby_id","peer_id","candidate"|"description"}}` spliced from
 * its parts: the same JSON as `encode`, without building the wrapper objects on every relayed
 * frame.
 */
export function encodeRelay(
  type: 'ice' | 'sdp',
  lobbyId: string,
  peerId: string,
  key: 'candidate' | 'description',
  value: unknown,
): Encoded {
  const text = `{"type":"${type}","data":{"lobby_id":${JSON.stringify(lobbyId)},"peer_id":${JSON.stringify(peerId)},"${key}":${JSON.stringify(value)}}}`;
  return { type, text };
}

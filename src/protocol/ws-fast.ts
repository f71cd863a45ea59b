/**
 * Hand-written checks for the two signaling frames on the hot path. They accept exactly what
 * the zod schemas `ClientData.relay_ice` / `ClientData.relay_sdp` accept for well-formed input,
 * without walking a schema or copying the object; when they say no, the dispatcher asks zod,
 * which produces the error message. (test/unit/ws-fast.test.ts holds them to the schemas.)
 */
import type { ClientDataOf } from './ws.ts';

type Data = Record<string, unknown>;

const isObject = (value: unknown): value is Data =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= 128;

/** Optional, nullable string of at most `max` characters. */
const isOptionalText = (value: unknown, max: number): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.length <= max);

function hasOnlyKeys(object: Data, isAllowed: (key: string) => boolean): boolean {
  for (const key in object) if (!isAllowed(key)) return false;
  return true;
}

// Plain comparisons: cheaper per frame than looking keys up in an array or a set.
const ICE_KEYS = (key: string) => key === 'lobby_id' || key === 'peer_id' || key === 'candidate';
const CANDIDATE_KEYS = (key: string) =>
  key === 'candidate' || key === 'sdpMid' || key === 'sdpMLineIndex' || key === 'usernameFragment';
const SDP_KEYS = (key: string) => key === 'lobby_id' || key === 'peer_id' || key === 'description';
const DESCRIPTION_KEYS = (key: string) => key === 'type' || key === 'sdp';
const SDP_TYPES = ['offer', 'answer', 'pranswer', 'rollback'];

export function isRelayIceData(data: unknown): data is ClientDataOf<'relay_ice'> {
  if (!isObject(data) || !isId(data.lobby_id) || !isId(data.peer_id) || !hasOnlyKeys(data, ICE_KEYS))
    return false;
  const candidate = data.candidate;
  if (candidate === null) return true;
  if (!isObject(candidate) || !hasOnlyKeys(candidate, CANDIDATE_KEYS)) return false;
  const index = candidate.sdpMLineIndex;
  return (
    typeof candidate.candidate === 'string' &&
    candidate.candidate.length <= 1024 &&
    isOptionalText(candidate.sdpMid, 64) &&
    isOptionalText(candidate.usernameFragment, 256) &&
    (index === undefined ||
      index === null ||
      (Number.isInteger(index) && (index as number) >= 0 && (index as number) <= 1024))
  );
}

export function isRelaySdpData(data: unknown): data is ClientDataOf<'relay_sdp'> {
  if (!isObject(data) || !isId(data.lobby_id) || !isId(data.peer_id) || !hasOnlyKeys(data, SDP_KEYS))
    return false;
  const description = data.description;
  return (
    isObject(description) &&
    hasOnlyKeys(description, DESCRIPTION_KEYS) &&
    typeof description.type === 'string' &&
    SDP_TYPES.includes(description.type) &&
    (description.sdp === undefined ||
      (typeof description.sdp === 'string' && description.sdp.length <= 60_000))
  );
}

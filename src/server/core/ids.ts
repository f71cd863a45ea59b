/** Typed ids (so a lobby id cannot pass for a session id), secrets and their hashes. */
import { createHash, randomBytes } from 'node:crypto';

declare const brand: unique symbol;
type Brand<T, B> = T & { readonly [brand]: B };

export type SessionId = Brand<string, 'SessionId'>;
export type LobbyId = Brand<string, 'LobbyId'>;
export type NameKey = Brand<string, 'NameKey'>;

/** 128 random bits, URL-safe. */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

export const newSessionId = (): SessionId => randomId(12) as SessionId;
/** Private lobby ids are unguessable: 128 random bits. */
export const newLobbyId = (): LobbyId => randomId(16) as LobbyId;
/** Session tokens: 256 random bits, shown once to their owner. */
export const newToken = (): string => randomId(32);

/** What we store instead of a token: its SHA-256 (tokens are random, so no salt or slow hash is needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

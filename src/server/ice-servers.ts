/**
 * The ICE servers a client gets in `welcome`: the configured STUN/TURN list, plus TURN URLs with
 * time-limited credentials (coturn `use-auth-secret`: username `<expiry>:<session id>`,
 * credential base64(HMAC-SHA1(secret, username))).
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../protocol/entities.ts';
import type { Config } from './config.ts';

export type IceConfig = Pick<Config, 'ICE_SERVERS' | 'TURN_URLS' | 'TURN_SECRET' | 'TURN_TTL_S'>;

export function iceServersFor(sessionId: string, config: IceConfig, nowMs: number): IceServer[] {
  const servers = [...config.ICE_SERVERS];
  if (config.TURN_SECRET && config.TURN_URLS.length) {
    const username = `${Math.floor(nowMs / 1000) + config.TURN_TTL_S}:${sessionId}`;
    const credential = createHmac('sha1', config.TURN_SECRET).update(username).digest('base64');
    servers.push({ urls: config.TURN_URLS, username, credential });
  }
  return servers;
}

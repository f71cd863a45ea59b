/** After a new ban: every connected socket it covers is told `kicked` (banned) and closed with 4003. */
import { CLOSE_CODES } from '../../protocol/errors.ts';
import type { BanManager } from '../core/bans.ts';
import type { SessionId } from '../core/ids.ts';
import { encode } from './frames.ts';
import type { WsServices } from './services.ts';

export function kickBanned(
  bans: BanManager,
  { registry, sessions, lobbies }: Pick<WsServices, 'registry' | 'sessions' | 'lobbies'>,
): number {
  let kicked = 0;
  for (const connection of [...registry.all()]) {
    const name = sessions.get(connection.sessionId)?.name ?? null;
    const ban = bans.find({ sessionId: connection.sessionId, ip: connection.ip, name });
    if (!ban) continue;
    lobbies.leaveAll(connection.sessionId as SessionId, 'banned');
    connection.send(encode('kicked', { reason: ban.reason, banned: true }));
    connection.close(CLOSE_CODES.kicked, 'banned');
    kicked++;
  }
  return kicked;
}

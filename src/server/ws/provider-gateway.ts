/**
 * The `/ws/providers` endpoint: bot providers register their bots, receive `spawn`/`despawn`,
 * and answer `spawned`/`spawn_failed`. A wrong key closes with 4001; when the socket goes, the
 * provider's bots leave.
 */
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, ERROR_CODES } from '../../protocol/errors.ts';
import {
  ProviderData,
  type ProviderServerDataOf,
  type ProviderServerType,
  type ProviderType,
} from '../../protocol/provider.ts';
import { FRAME_MAX_BYTES } from '../../protocol/text-rules.ts';
import { sameSecret } from '../api/admin-auth.ts';
import type { BotRegistry } from '../core/bot-registry.ts';

export class ProviderGateway {
  readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: FRAME_MAX_BYTES,
    perMessageDeflate: false,
  });

  constructor(private readonly deps: { bots: BotRegistry; providerKey: string | undefined; log: Logger }) {}

  accept(socket: WebSocket, key: string | null, ip: string | null): void {
    const { bots, providerKey, log } = this.deps;
    if (!sameSecret(key, providerKey)) {
      log.info({ ip }, 'provider rejected: wrong key');
      socket.close(CLOSE_CODES.unauthorized, 'unauthorized');
      return;
    }
    const send = <T extends ProviderServerType>(
      type: T,
      data: ProviderServerDataOf<T>,
      id?: string,
    ): void => {
      if (socket.readyState === 1)
        socket.send(JSON.stringify(id === undefined ? { type, data } : { type, id, data }));
    };
    const error = (code: keyof typeof ERROR_CODES, message: string, id?: string) =>
      send('error', { code, message }, id);
    let providerId: string | null = null;

    socket.on('message', (raw) => {
      let frame: { type?: unknown; id?: unknown; data?: unknown };
      try {
        frame = JSON.parse(raw.toString()) as typeof frame;
      } catch {
        return error('invalid_json', ERROR_CODES.invalid_json);
      }
      const id = typeof frame.id === 'string' ? frame.id : undefined;
      const schema = typeof frame.type === 'string' ? ProviderData[frame.type as ProviderType] : undefined;
      if (!schema) return error('unknown_type', `Unknown provider message type.`, id);
      const parsed = schema.safeParse(frame.data);
      if (!parsed.success) return error('invalid_frame', parsed.error.issues[0]!.message, id);
      const data = parsed.data as Record<string, any>;
      switch (frame.type as ProviderType) {
        case 'register': {
          if (providerId) bots.unregisterProvider(providerId);
          providerId = bots.registerProvider(data.provider, data.bots, { send });
          log.info(
            { provider: data.provider, bots: data.bots.map((bot: { name: string }) => bot.name), ip },
            'provider registered',
          );
          return send(
            'registered',
            { provider: data.provider, bots: data.bots.map((bot: { name: string }) => bot.name) },
            id,
          );
        }
        case 'spawned':
          if (providerId) bots.spawned(providerId, data.request_id);
          return;
        case 'spawn_failed':
          if (providerId) bots.spawnFailed(data.request_id, data.code, data.message, providerId);
          log.warn({ request_id: data.request_id, code: data.code }, 'bot spawn failed');
          return;
        case 'bot_ended':
          if (providerId) bots.botEnded(providerId, data.session_id, data.reason);
          log.info({ session_id: data.session_id, reason: data.reason }, 'bot ended');
          return;
        case 'ping':
          return send('pong', {}, id);
      }
    });
    socket.on('close', () => {
      if (providerId) {
        bots.unregisterProvider(providerId);
        log.info({ ip }, 'provider disconnected; its bots left');
      }
    });
    socket.on('error', () => {});
  }

  async shutdown(): Promise<void> {
    for (const socket of this.server.clients) socket.close(CLOSE_CODES.going_away, 'server shutting down');
  }
}

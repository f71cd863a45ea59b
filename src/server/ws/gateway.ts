/**
 * The `/ws` endpoint: authenticates the upgrade, registers the connection (replacing an older
 * one with 4002), sends `welcome`, feeds frames to the dispatcher, drops silent peers, and
 * reports connects and disconnects to the SessionManager.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES } from '../../protocol/errors.ts';
import { FRAME_MAX_BYTES } from '../../protocol/text-rules.ts';
import type { Config } from '../config.ts';
import type { BanChecker } from '../core/bans.ts';
import { AppError } from '../core/errors.ts';
import type { SessionId } from '../core/ids.ts';
import { iceServersFor } from '../ice-servers.ts';
import { Connection } from './connection.ts';
import type { Dispatcher } from './dispatcher.ts';
import { encode } from './frames.ts';
import type { WsServices } from './services.ts';

export type GatewayConfig = Pick<
  Config,
  | 'HEARTBEAT_TIMEOUT_MS'
  | 'WS_RATE_BURST'
  | 'WS_RATE_REFILL_PER_SEC'
  | 'WS_ABUSE_LIMIT'
  | 'ICE_SERVERS'
  | 'TURN_URLS'
  | 'TURN_SECRET'
  | 'TURN_TTL_S'
>;

export interface GatewayDeps extends Pick<WsServices, 'sessions' | 'lobbies' | 'registry' | 'clock'> {
  dispatcher: Dispatcher;
  bans: BanChecker;
  config: GatewayConfig;
  log: Logger;
  version: string;
  /** Told of every frame written (metrics). */
  onSend?: (type: string) => void;
}

export class Gateway {
  readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: FRAME_MAX_BYTES,
    perMessageDeflate: false,
  });
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly deps: GatewayDeps) {
    const interval = Math.max(1000, Math.floor(deps.config.HEARTBEAT_TIMEOUT_MS / 3));
    this.heartbeat = setInterval(() => this.sweep(), interval);
    this.heartbeat.unref();
  }

  /** Accept an upgraded socket for the session whose token is `token`. */
  accept(socket: WebSocket, request: IncomingMessage, token: string | null, ip: string | null): void {
    const { sessions, lobbies, registry, clock, config, log, bans } = this.deps;
    const session = sessions.authenticate(token);
    if (!session) {
      log.info({ ip, close: CLOSE_CODES.unauthorized }, 'ws rejected: bad token');
      socket.close(CLOSE_CODES.unauthorized, 'unauthorized');
      return;
    }
    try {
      bans.assertAllowed({ sessionId: session.id, ip, name: session.name });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      socket.send(encode('kicked', { reason: error.message, banned: true }).text);
      socket.close(CLOSE_CODES.kicked, 'banned');
      return;
    }

    const connection = new Connection(
      socket,
      session.id,
      ip,
      {
        burst: config.WS_RATE_BURST,
        perSecond: config.WS_RATE_REFILL_PER_SEC,
        abuseLimit: config.WS_ABUSE_LIMIT,
        onSend: this.deps.onSend,
      },
      clock.now(),
    );
    const replaced = registry.add(connection);
    if (replaced) {
      log.info({ session_id: session.id }, 'ws replaced by a newer connection');
      replaced.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    }
    const record = sessions.connected(session.id, ip);
    log.info({ session_id: session.id, ip, user_agent: request.headers['user-agent'] }, 'ws connected');

    socket.on('message', (raw, isBinary) => {
      if (isBinary) {
        connection.lastSeenAt = clock.now();
        connection.send(
          encode('error', { code: 'invalid_frame', message: 'Frames are JSON text, not binary.' }),
        );
        return;
      }
      this.deps.dispatcher.dispatch(connection, raw as Buffer);
    });
    socket.on('pong', () => (connection.lastSeenAt = clock.now()));
    socket.on('error', (error) => log.info({ session_id: session.id, err: error.message }, 'ws error'));
    socket.on('close', (code) => {
      if (!registry.remove(connection)) return; // replaced: the session is still connected
      sessions.disconnected(session.id as SessionId, `close ${code}`);
      log.info({ session_id: session.id, code }, 'ws disconnected');
    });

    connection.send(
      encode('welcome', {
        session: sessions.view(record),
        ice_servers: iceServersFor(session.id, config, clock.now()),
        server: { version: this.deps.version },
        lobby_ids: lobbies.lobbiesOf(session.id),
      }),
    );
  }

  /** Ping everyone; drop those silent for longer than the heartbeat timeout. */
  private sweep(): void {
    const { registry, clock, config, log } = this.deps;
    const now = clock.now();
    for (const connection of registry.all()) {
      if (now - connection.lastSeenAt > config.HEARTBEAT_TIMEOUT_MS) {
        log.info({ session_id: connection.sessionId }, 'ws dropped: silent too long');
        connection.socket.terminate();
      } else if (connection.open) {
        connection.socket.ping();
      }
    }
  }

  /** Close every socket with 1001 (going away). */
  async shutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    const closing = [...this.server.clients].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === 3) return resolve();
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, 2000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close(CLOSE_CODES.going_away, 'server shutting down');
        }),
    );
    await Promise.all(closing);
  }
}

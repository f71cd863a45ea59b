/**
 * The composition root: the one place that wires config → storage → bus → managers → transport.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { adminRoutes } from './api/admin.ts';
import { createAdminGuard } from './api/admin-auth.ts';
import { adminWebhookRoutes } from './api/admin-webhooks.ts';
import { docsRoutes } from './api/docs.ts';
import { botRoutes } from './api/bots.ts';
import { lobbyRoutes } from './api/lobbies.ts';
import { clientIp, sendError } from './api/http-support.ts';
import { sessionRoutes } from './api/sessions.ts';
import { registerStatic } from './api/static.ts';
import { systemRoutes } from './api/system.ts';
import { LocalConnectionRegistry } from './cluster/connection-registry.ts';
import type { Config } from './config.ts';
import { AuthManager } from './core/auth-manager.ts';
import { AdminService } from './core/admin-service.ts';
import { BanManager } from './core/bans.ts';
import { BotRegistry } from './core/bot-registry.ts';
import { ChatManager } from './core/chat-manager.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { AppError } from './core/errors.ts';
import { LobbyManager } from './core/lobby-manager.ts';
import { SessionManager } from './core/session-manager.ts';
import { LocalEventBus } from './events/bus.ts';
import { eventLogRecorder } from './events/event-log.ts';
import { pruneEventLog } from './events/retention.ts';
import { startWebhooks } from './events/webhooks.ts';
import { redactUrl } from './log.ts';
import { Metrics, metricsRoutes } from './ops/metrics.ts';
import type { AppServices } from './services.ts';
import { SqliteStore } from './storage/sqlite-store.ts';
import type { Connection } from './ws/connection.ts';
import { Dispatcher } from './ws/dispatcher.ts';
import { Gateway } from './ws/gateway.ts';
import { ProviderGateway } from './ws/provider-gateway.ts';
import { createHandlers } from './ws/handlers/index.ts';
import { startNotifier } from './ws/notifier.ts';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const HOUR_MS = 3_600_000;

export interface App {
  http: FastifyInstance;
  services: AppServices;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createApp(config: Config, log: Logger, clock: Clock = systemClock): Promise<App> {
  const store = new SqliteStore({
    path: join(config.DATA_DIR, 'voicebot.sqlite'),
    synchronous: config.SQLITE_SYNCHRONOUS,
  });
  const bus = new LocalEventBus(clock, eventLogRecorder(store), (err, event) =>
    log.error({ err, event: event.type }, 'event listener failed'),
  );
  const bans = new BanManager({ store, bus, clock });
  const sessions = new SessionManager({ store, bus, clock, config });
  const auth = new AuthManager({ store, bus, clock, sessions, bans, config });
  const lobbies = new LobbyManager({ store, bus, clock, sessions, bans, config });
  const chat = new ChatManager({ store, bus, clock, sessions, lobbies });
  const registry = new LocalConnectionRegistry<Connection>();
  const admin = new AdminService({ store, bus, sessions, auth, lobbies });
  const bots = new BotRegistry({ store, bus, clock, sessions, lobbies, config });
  const services: AppServices = {
    config,
    log,
    clock,
    store,
    bus,
    sessions,
    auth,
    lobbies,
    chat,
    bans,
    admin,
    bots,
    registry,
    version: VERSION,
    requireAdmin: createAdminGuard(config),
  };

  const http = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }), // one line per request, from onResponse
    bodyLimit: 64 * 1024,
    trustProxy: config.TRUST_PROXY,
  });
  installErrorHandling(http);
  http.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        ip: request.ip,
      },
      'http request',
    );
  });
  systemRoutes(http, services);
  sessionRoutes(http, services);
  lobbyRoutes(http, services);
  adminRoutes(http, services);
  botRoutes(http, services);
  if (existsSync(config.WEB_ROOT)) await registerStatic(http, { root: config.WEB_ROOT });

  const wsServices = { sessions, auth, lobbies, chat, registry, clock };
  const metrics = new Metrics(services);
  metricsRoutes(http, services, metrics);
  const webhooks = startWebhooks(services);
  metrics.trackWebhooks(webhooks);
  adminWebhookRoutes(http, services, webhooks);
  docsRoutes(http, services);
  const dispatcher = new Dispatcher(createHandlers(wsServices), clock, log, (type, code, startedAt) =>
    metrics.frameIn(type, code, startedAt),
  );
  const gateway = new Gateway({
    ...wsServices,
    dispatcher,
    bans,
    config,
    log,
    version: VERSION,
    onSend: (type) => metrics.frameOut(type),
  });
  const stopNotifier = startNotifier(bus, wsServices);
  const providerGateway = new ProviderGateway({ bots, providerKey: config.BOT_PROVIDER_KEY, log });
  http.server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const ip = clientIp(request, config.TRUST_PROXY);
    if (url.pathname === '/ws') {
      gateway.server.handleUpgrade(request, socket, head, (ws) =>
        gateway.accept(ws, request, url.searchParams.get('token'), ip),
      );
    } else if (url.pathname === '/ws/providers') {
      providerGateway.server.handleUpgrade(request, socket, head, (ws) =>
        providerGateway.accept(ws, url.searchParams.get('key'), ip),
      );
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });

  const housekeeping = (): void => {
    const pruned = pruneEventLog(store, clock, config);
    if (pruned) log.info({ pruned }, 'old events pruned');
    if (config.SESSION_IDLE_DAYS > 0) {
      const removed = sessions.removeIdle(config.SESSION_IDLE_DAYS * 24 * HOUR_MS);
      if (removed) log.info({ removed }, 'idle sessions removed');
    }
  };
  housekeeping();
  const expiry = setInterval(housekeeping, HOUR_MS);
  expiry.unref();

  return {
    http,
    services,
    listen: () => http.listen({ port: config.PORT, host: config.HOST }),
    async close() {
      clearInterval(expiry);
      await providerGateway.shutdown();
      await gateway.shutdown();
      stopNotifier();
      await http.close();
      await webhooks.stop();
      store.close();
    },
  };
}

function installErrorHandling(http: FastifyInstance): void {
  http.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) return sendError(reply, error.code, error.message);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 'payload_too_large');
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, 'invalid_request', 'Send JSON with Content-Type: application/json.');
    }
    if (
      error instanceof SyntaxError ||
      error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
    ) {
      return sendError(reply, 'invalid_json', 'The body is not valid JSON.');
    }
    if (error.statusCode && error.statusCode < 500) return sendError(reply, 'invalid_request', error.message);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 'internal_error');
  });
  http.setNotFoundHandler((request, reply) =>
    sendError(reply, 'not_found', `No route ${request.method} ${redactUrl(request.url)}.`),
  );
}

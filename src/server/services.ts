/** Everything the composition root builds, as the HTTP routers see it. */
import type { Logger } from 'pino';
import type { ConnectionRegistry } from './cluster/connection-registry.ts';
import type { Config } from './config.ts';
import type { AuthManager } from './core/auth-manager.ts';
import type { AdminService } from './core/admin-service.ts';
import type { BanManager } from './core/bans.ts';
import type { BotRegistry } from './core/bot-registry.ts';
import type { ChatManager } from './core/chat-manager.ts';
import type { Clock } from './core/clock.ts';
import type { LobbyManager } from './core/lobby-manager.ts';
import type { SessionManager } from './core/session-manager.ts';
import type { EventBus } from './events/bus.ts';
import type { Store } from './storage/store.ts';
import type { Connection } from './ws/connection.ts';

import type { FastifyRequest } from 'fastify';

export interface AppServices {
  config: Config;
  log: Logger;
  clock: Clock;
  store: Store;
  bus: EventBus;
  sessions: SessionManager;
  auth: AuthManager;
  lobbies: LobbyManager;
  chat: ChatManager;
  bans: BanManager;
  admin: AdminService;
  bots: BotRegistry;
  registry: ConnectionRegistry<Connection>;
  version: string;
  /** The one admin-token check (shared wrong-token limit per address); throws admin_required / rate_limited. */
  requireAdmin: (request: FastifyRequest) => Promise<void>;
}

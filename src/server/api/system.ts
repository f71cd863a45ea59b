import type { FastifyInstance } from 'fastify';
import type { HealthResponse } from '../../protocol/http.ts';
import type { AppServices } from '../services.ts';

export function systemRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/api/system/health', async (): Promise<HealthResponse & Record<string, unknown>> => {
    const { store, sessions, lobbies, registry, version } = services;
    const { participants, live_lobbies } = lobbies.stats();
    return {
      status: 'ok',
      architecture: 'modular',
      version,
      managers: {
        session_manager: 'active',
        lobby_manager: 'active',
        auth_manager: 'active',
        websocket_manager: 'active',
      },
      statistics: {
        sessions: store.countSessions(),
        lobbies: store.countLobbies(),
        protected_names: store.countProtectedNames(),
        connections: registry.size,
        active_sessions: sessions.stats().active,
        live_lobbies,
        participants,
      } as HealthResponse['statistics'],
    };
  });
}

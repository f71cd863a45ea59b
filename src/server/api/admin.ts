/** The admin API (PROTOCOL.md "Admin API"): every route needs the admin token. */
import type { FastifyInstance } from 'fastify';
import { CleanupBody, CreateBanBody, EventsQuery } from '../../protocol/admin.ts';
import { isoTime } from '../core/clock.ts';
import { banView } from '../core/bans.ts';
import type { SessionId } from '../core/ids.ts';
import type { AppServices } from '../services.ts';
import { kickBanned } from '../ws/enforce-bans.ts';
import { parseInput } from './http-support.ts';

const DAY_MS = 86_400_000;

export function adminRoutes(app: FastifyInstance, services: AppServices): void {
  const { config, store, sessions, lobbies, auth, admin, bans } = services;

  // Checked for every /api/admin path, routed or not, so a 404 never hints at what exists.
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/admin/') || request.url === '/api/admin')
      await services.requireAdmin(request);
  });

  app.register(async (scope) => {
    scope.get('/api/admin/sessions', async () => ({
      sessions: store.listSessions().map((session) => ({
        id: session.id,
        name: sessions.get(session.id)?.name ?? session.name,
        is_bot: session.isBot,
        connected: sessions.isConnected(session.id),
        lobby_ids: lobbies.lobbiesOf(session.id),
        created_at: isoTime(session.createdAt),
        last_seen_at: isoTime(sessions.get(session.id)?.lastSeenAt ?? session.lastSeenAt),
      })),
    }));

    scope.delete<{ Params: { id: string } }>('/api/admin/sessions/:id', async (request, reply) => {
      admin.kick(request.params.id);
      return reply.code(204).send();
    });

    scope.post('/api/admin/sessions/cleanup', async (request) => {
      const body = parseInput(CleanupBody, request.body ?? {});
      const maxIdleMs =
        body.max_idle_seconds !== undefined
          ? body.max_idle_seconds * 1000
          : config.SESSION_IDLE_DAYS * DAY_MS;
      return { removed: admin.cleanup(maxIdleMs) };
    });

    scope.get('/api/admin/names', async () => ({
      names: auth
        .listProtected()
        .map((record) => ({ name: record.name, protected_at: isoTime(record.protectedAt) })),
    }));

    scope.delete<{ Params: { name: string } }>('/api/admin/names/:name/password', async (request, reply) => {
      admin.unprotectName(request.params.name);
      return reply.code(204).send();
    });

    scope.delete<{ Params: { id: string } }>('/api/admin/lobbies/:id', async (request, reply) => {
      admin.deleteLobby(request.params.id);
      return reply.code(204).send();
    });

    scope.get('/api/admin/events', async (request) => {
      const query = parseInput(EventsQuery, request.query);
      const after = query.after ?? 0;
      const events = store.listEvents(after, query.limit ?? 100).map((event) => ({
        seq: event.seq,
        type: event.type,
        at: isoTime(event.at),
        data: event.data as Record<string, unknown>,
      }));
      return { events, next_after: events.at(-1)?.seq ?? after };
    });

    scope.post('/api/admin/bans', async (request, reply) => {
      const body = parseInput(CreateBanBody, request.body);
      const ban = bans.create({
        ...(body.session_id !== undefined && { sessionId: body.session_id as SessionId }),
        ...(body.ip !== undefined && { ip: body.ip }),
        ...(body.name !== undefined && { name: body.name }),
        reason: body.reason,
        ...(body.expires_at !== undefined && { expiresAt: Date.parse(body.expires_at) }),
      });
      kickBanned(bans, services);
      return reply.code(201).send({ ban: banView(ban) });
    });

    scope.get('/api/admin/bans', async () => ({ bans: bans.list().map(banView) }));

    scope.delete<{ Params: { id: string } }>('/api/admin/bans/:id', async (request, reply) => {
      bans.remove(request.params.id);
      return reply.code(204).send();
    });
  });
}

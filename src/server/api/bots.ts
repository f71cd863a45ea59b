/** Bots over HTTP: what bots exist, and adding/removing one in a lobby (a participant or the admin may). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AddBotBody } from '../../protocol/http.ts';
import type { Requester } from '../core/bot-registry.ts';
import { AppError } from '../core/errors.ts';
import type { AppServices } from '../services.ts';
import { sameSecret } from './admin-auth.ts';
import { bearerToken, parseInput } from './http-support.ts';

export function botRoutes(app: FastifyInstance, services: AppServices): void {
  const { bots, sessions, config } = services;

  const requester = (request: FastifyRequest): Requester => {
    const token = bearerToken(request);
    if (sameSecret(token, config.ADMIN_TOKEN)) return 'admin';
    const session = sessions.authenticate(token);
    if (!session) throw new AppError('unauthorized');
    return { sessionId: session.id };
  };

  app.get('/api/bots', async () => ({ bots: bots.list() }));

  app.post<{ Params: { id: string } }>('/api/lobbies/:id/bots', async (request, reply) => {
    const who = requester(request);
    const body = parseInput(AddBotBody, request.body);
    return reply.code(202).send(bots.spawn(request.params.id, body.bot, who, body.name));
  });

  app.delete<{ Params: { id: string; sessionId: string } }>(
    '/api/lobbies/:id/bots/:sessionId',
    async (request, reply) => {
      bots.despawn(request.params.id, request.params.sessionId, requester(request));
      return reply.code(204).send();
    },
  );
}

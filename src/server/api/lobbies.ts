import type { FastifyInstance } from 'fastify';
import { ChatQuery, CreateLobbyBody } from '../../protocol/http.ts';
import { CHAT_PAGE_DEFAULT } from '../../protocol/text-rules.ts';
import type { AppServices } from '../services.ts';
import { parseInput, requireSession } from './http-support.ts';

export function lobbyRoutes(app: FastifyInstance, services: AppServices): void {
  const { sessions, lobbies, chat } = services;

  app.get('/api/lobbies', async () => ({ lobbies: lobbies.listPublic() }));

  app.post('/api/lobbies', async (request, reply) => {
    const session = requireSession(sessions, request);
    const body = parseInput(CreateLobbyBody, request.body);
    const { lobby, created } = lobbies.create(body.name, body.private ?? false, session.id);
    return reply.code(created ? 201 : 200).send({ lobby: lobbies.view(lobby) });
  });

  app.get<{ Params: { id: string } }>('/api/lobbies/:id', async (request) => {
    const lobby = lobbies.require(request.params.id);
    return { lobby: lobbies.view(lobby, true) };
  });

  app.get<{ Params: { id: string } }>('/api/lobbies/:id/chat', async (request) => {
    const query = parseInput(ChatQuery, request.query);
    return { messages: chat.history(request.params.id, query.limit ?? CHAT_PAGE_DEFAULT, query.before) };
  });
}

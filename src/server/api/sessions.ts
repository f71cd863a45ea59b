import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import type { AppServices } from '../services.ts';
import { clientIp, parseInput, requireSession } from './http-support.ts';

const CreateSessionBody = z.strictObject({}).optional().nullable();

export function sessionRoutes(app: FastifyInstance, services: AppServices): void {
  const { sessions, bans, config } = services;
  const creations = new RateLimiterMemory({ points: config.SESSION_CREATE_PER_MIN, duration: 60 });

  app.post('/api/sessions', async (request, reply) => {
    parseInput(CreateSessionBody, request.body);
    const ip = clientIp(request.raw, config.TRUST_PROXY);
    bans.assertAllowed({ ip });
    await creations.consume(ip ?? 'unknown').catch(() => {
      throw new AppError('rate_limited', 'Too many new sessions from this address; try again in a minute.');
    });
    const { session, token } = sessions.create(false);
    return reply.code(201).send({ session: sessions.view(session), token });
  });

  app.get('/api/sessions/me', async (request) => {
    const session = requireSession(sessions, request);
    return { session: sessions.view(session) };
  });
}

/**
 * `GET /api/admin/webhooks` (PROTOCOL.md admin table): each configured URL (credentials and query
 * values masked) with its delivery cursor, lag and last error. The admin guard of admin.ts covers
 * every /api/admin path; the token is checked here again so the route is safe on its own.
 */
import type { FastifyInstance } from 'fastify';
import type { Webhooks } from '../events/webhooks.ts';
import type { AppServices } from '../services.ts';
import { isAdminToken } from './admin-auth.ts';
import { bearerToken, sendError } from './http-support.ts';

export function adminWebhookRoutes(app: FastifyInstance, services: AppServices, webhooks: Webhooks): void {
  app.get('/api/admin/webhooks', async (request, reply) => {
    if (!isAdminToken(bearerToken(request), services.config.ADMIN_TOKEN))
      return sendError(reply, 'admin_required');
    return { webhooks: webhooks.status() };
  });
}

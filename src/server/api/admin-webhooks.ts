/**
 * `GET /api/admin/webhooks` (PROTOCOL.md admin table): each configured URL (credentials and query
 * values masked) with its delivery cursor, lag and last error. The admin guard of admin.ts covers
 * every /api/admin path; the route asks it again so it is safe on its own.
 */
import type { FastifyInstance } from 'fastify';
import type { Webhooks } from '../events/webhooks.ts';
import type { AppServices } from '../services.ts';

export function adminWebhookRoutes(app: FastifyInstance, services: AppServices, webhooks: Webhooks): void {
  app.get('/api/admin/webhooks', { onRequest: services.requireAdmin }, async () => ({
    webhooks: webhooks.status(),
  }));
}

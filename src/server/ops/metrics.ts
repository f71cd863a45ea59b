/**
 * Prometheus metrics (prom-client). The transport calls these hooks; `/metrics` serves them.
 * Placeholder: the operations work fills in the counters and histograms.
 */
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../services.ts';

export class Metrics {
  constructor(_services: AppServices) {}
  /** One client frame handled: its type ('invalid', 'unknown', 'rate_limited' when it had none), error code if it failed, and performance.now() at arrival. */
  frameIn(_type: string, _errorCode: string | undefined, _startedAt: number): void {}
  /** One frame written to a socket. */
  frameOut(_type: string): void {}
}

export function metricsRoutes(_http: FastifyInstance, _services: AppServices, _metrics: Metrics): void {}

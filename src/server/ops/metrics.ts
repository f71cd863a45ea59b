/**
 * Prometheus metrics (prom-client) at `GET /metrics`, protected by the admin token unless
 * METRICS_PUBLIC. The transport calls `frameIn`/`frameOut` for every frame: those only bump
 * pre-bound slots (no allocation, no label hashing). Gauges (sockets, sessions, lobbies,
 * participants, event log, webhook lag) are read from the services at scrape time.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ERROR_CODE_LIST } from '../../protocol/errors.ts';
import { CLIENT_TYPES, ServerData } from '../../protocol/ws.ts';
import { sendError } from '../api/http-support.ts';
import { AppError } from '../core/errors.ts';
import type { Webhooks } from '../events/webhooks.ts';
import { EVENT_TYPES } from '../events/types.ts';
import type { AppServices } from '../services.ts';
import { FastCounter, FastHistogram, type CounterSlot, type HistogramChild } from './fast-metrics.ts';

const P = 'voicebot_';
const NO_TYPE = ['invalid', 'unknown', 'rate_limited'] as const;
const RELAY_TYPES = ['relay_sdp', 'relay_ice'] as const;
/** 20 µs … 250 ms: a relay is normally well under a millisecond. */
const RELAY_BUCKETS = [
  0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
];
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
const KNOWN_ERROR = new Set<string>(ERROR_CODE_LIST);

export class Metrics {
  readonly registry = new Registry();
  private readonly messagesIn: FastCounter;
  private readonly messagesOut: FastCounter;
  private readonly errors: FastCounter;
  private readonly rateLimited: FastCounter;
  private readonly otherIn: CounterSlot;
  private readonly otherOut: CounterSlot;
  private readonly otherError: CounterSlot;
  private readonly wsRateLimited: CounterSlot;
  private readonly relayLatency = new Map<string, HistogramChild>();
  private readonly httpResponses: FastCounter;
  private webhooks: Webhooks | null = null;

  constructor(private readonly services: AppServices) {
    const { registry } = this;
    collectDefaultMetrics({ register: registry, prefix: P });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name: P + name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    gauge('connected_sockets', 'Open client WebSockets on this instance.', () => services.registry.size);
    gauge('sessions', 'Stored sessions.', () => services.store.countSessions());
    gauge(
      'active_sessions',
      'Sessions connected or inside the reconnect grace window.',
      () => services.sessions.stats().active,
    );
    gauge('lobbies', 'Stored lobbies.', () => services.store.countLobbies());
    gauge(
      'live_lobbies',
      'Lobbies with at least one participant.',
      () => services.lobbies.stats().live_lobbies,
    );
    gauge('participants', 'Participants over all lobbies.', () => services.lobbies.stats().participants);
    gauge('protected_names', 'Names protected by a password.', () => services.store.countProtectedNames());
    gauge('event_log_last_seq', 'Seq of the newest event in the durable log.', () =>
      services.store.lastEventSeq(),
    );
    gauge('event_log_events', 'Events held in the durable log (after retention).', () =>
      services.store.countEvents(),
    );
    new Gauge({
      name: `${P}build_info`,
      help: 'Version of the running server.',
      labelNames: ['version'],
      registers: [registry],
    }).set({ version: services.version }, 1);

    this.messagesIn = new FastCounter(
      `${P}ws_messages_in_total`,
      "Client frames handled, by type ('invalid', 'unknown', 'rate_limited' when it had none usable).",
      registry,
      'type',
      [...CLIENT_TYPES, ...NO_TYPE, 'other'],
    );
    this.otherIn = this.messagesIn.slot('other');
    this.messagesOut = new FastCounter(
      `${P}ws_messages_out_total`,
      'Frames written to client sockets, by type.',
      registry,
      'type',
      [...Object.keys(ServerData), 'other'],
    );
    this.otherOut = this.messagesOut.slot('other');
    this.errors = new FastCounter(
      `${P}errors_total`,
      'Error answers by code, WebSocket error frames and HTTP error bodies together.',
      registry,
      'code',
      [...ERROR_CODE_LIST, 'other'],
    );
    this.otherError = this.errors.slot('other');
    this.rateLimited = new FastCounter(
      `${P}rate_limit_hits_total`,
      'Requests refused by a rate limit: ws (frame token bucket) or http (429 answers).',
      registry,
      'transport',
      ['ws', 'http'],
    );
    this.wsRateLimited = this.rateLimited.slot('ws');
    this.httpResponses = new FastCounter(
      `${P}http_responses_total`,
      'HTTP answers by status code.',
      registry,
      'status',
    );
    const relay = new FastHistogram(
      `${P}relay_latency_seconds`,
      'Signaling relay time from frame in to frame out (relay_sdp, relay_ice), successful relays; one frame in 8 is timed.',
      registry,
      RELAY_BUCKETS,
      'type',
    );
    for (const type of RELAY_TYPES) this.relayLatency.set(type, relay.child(type));

    const eventsTotal = new FastCounter(
      `${P}events_total`,
      'Events committed to the event log, by type.',
      registry,
      'type',
      EVENT_TYPES,
    );
    const eventLag = new FastHistogram(
      `${P}event_log_lag_seconds`,
      'Time from an event being recorded to its commit reaching the listeners (fan-out, webhooks).',
      registry,
      LAG_BUCKETS,
      'stage',
      ['commit'],
    ).child('commit');
    const otherEvent = eventsTotal.slot('other');
    services.bus.on((event) => {
      eventsTotal.bound(event.type, otherEvent).n++;
      eventLag.observe(Math.max(0, services.clock.now() - event.at) / 1000);
    });

    const webhookGauge = (
      name: string,
      help: string,
      read: (status: ReturnType<Webhooks['status']>[number]) => number,
    ) =>
      new Gauge({
        name: P + name,
        help,
        labelNames: ['url'],
        registers: [registry],
        collect: () => {
          const gauge = registry.getSingleMetric(P + name) as Gauge<'url'>;
          gauge.reset();
          for (const status of this.webhooks?.status() ?? []) gauge.set({ url: status.url }, read(status));
        },
      });
    webhookGauge(
      'webhook_lag_events',
      'Events in the log not yet acknowledged by the webhook receiver.',
      (s) => s.lag,
    );
    webhookGauge(
      'webhook_lag_seconds',
      'Age of the oldest event not yet acknowledged by the receiver (0: none).',
      (s) =>
        s.oldest_pending_at ? Math.max(0, services.clock.now() - Date.parse(s.oldest_pending_at)) / 1000 : 0,
    );
    webhookGauge('webhook_cursor', 'Seq of the last event the receiver acknowledged.', (s) => s.cursor);
    webhookGauge(
      'webhook_consecutive_failures',
      'Failed attempts since the last success.',
      (s) => s.consecutive_failures,
    );
    const webhookCounter = (
      name: string,
      help: string,
      read: (status: ReturnType<Webhooks['status']>[number]) => number,
    ) =>
      new Counter({
        name: P + name,
        help,
        labelNames: ['url'],
        registers: [registry],
        collect: () => {
          const counter = registry.getSingleMetric(P + name) as Counter<'url'>;
          counter.reset();
          for (const status of this.webhooks?.status() ?? []) counter.inc({ url: status.url }, read(status));
        },
      });
    webhookCounter(
      'webhook_delivered_events_total',
      'Events acknowledged by the receiver since start.',
      (s) => s.delivered_events,
    );
    webhookCounter(
      'webhook_failed_attempts_total',
      'Failed delivery attempts since start.',
      (s) => s.failed_attempts,
    );
  }

  /** Report the webhooks' delivery state too. */
  trackWebhooks(webhooks: Webhooks): void {
    this.webhooks = webhooks;
  }

  /**
   * One client frame handled: its type ('invalid', 'unknown', 'rate_limited' when it had none),
   * its error code if it failed, and performance.now() at arrival (0 when it was not sampled).
   */
  frameIn(type: string, errorCode: string | undefined, startedAt: number): void {
    this.messagesIn.bound(type, this.otherIn).n++;
    if (errorCode === undefined) {
      const relay = this.relayLatency.get(type);
      if (relay && startedAt > 0) relay.observe((performance.now() - startedAt) / 1000);
      return;
    }
    this.errors.bound(errorCode, this.otherError).n++;
    if (errorCode === 'rate_limited') this.wsRateLimited.n++;
  }

  /** One frame written to a socket. */
  frameOut(type: string): void {
    this.messagesOut.bound(type, this.otherOut).n++;
  }

  /** One HTTP answer; `errorCode` when its body was an error. */
  httpResponse(status: number, errorCode: string | undefined): void {
    this.httpResponses.slot(String(status)).n++;
    if (errorCode !== undefined)
      this.errors.bound(KNOWN_ERROR.has(errorCode) ? errorCode : 'other', this.otherError).n++;
    if (status === 429) this.rateLimited.slot('http').n++;
  }
}

const ERROR_BODY = /^\{"error":\{"code":"([a-z_]{1,64})"/;

export function metricsRoutes(http: FastifyInstance, services: AppServices, metrics: Metrics): void {
  http.addHook('onSend', async (request, reply, payload) => {
    const status = reply.statusCode;
    let code: string | undefined;
    if (status >= 400 && typeof payload === 'string') code = ERROR_BODY.exec(payload)?.[1];
    metrics.httpResponse(status, code);
    return payload;
  });

  http.get('/metrics', async (request, reply) => {
    if (!services.config.METRICS_PUBLIC) {
      try {
        await services.requireAdmin(request);
      } catch (error) {
        if (error instanceof AppError) return sendError(reply, error.code, error.message);
        throw error;
      }
    }
    const text = await metrics.registry.metrics();
    return reply
      .header('content-type', metrics.registry.contentType)
      .header('cache-control', 'no-store')
      .send(text);
  });
}

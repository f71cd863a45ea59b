/**
 * Turns one raw client frame into a handler call: rate limit, parse once, check the envelope,
 * validate `data` against the type's schema, run the handler, and answer any failure with an
 * `error` frame carrying the client's id. The connection stays up on bad input.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { CLOSE_CODES } from '../../protocol/errors.ts';
import { ClientData, type ClientType } from '../../protocol/ws.ts';
import { isRelayIceData, isRelaySdpData } from '../../protocol/ws-fast.ts';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { Connection } from './connection.ts';
import { encodeError } from './frames.ts';
import type { Handler, HandlerTable } from './services.ts';

export interface DispatchObserver {
  /**
   * Called once per frame with its type ('invalid' when it had none), its error code if it
   * failed, and performance.now() at its arrival for the sampled frames (0 for the others).
   */
  (type: string, errorCode: string | undefined, startedAt: number): void;
}

interface Envelope {
  type?: string;
  id?: string;
  data?: unknown;
}

function textOf(raw: Buffer | ArrayBuffer | Buffer[]): string {
  if (Buffer.isBuffer(raw)) return raw.toString();
  return Array.isArray(raw) ? Buffer.concat(raw).toString() : Buffer.from(raw).toString();
}

/** The frame's id when it can be echoed on an error reply. */
function usableId(frame: unknown): string | undefined {
  const id = (frame as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}

/** Why a parsed frame is not a valid `{type, id?, data?}` envelope, or null when it is. */
function envelopeProblem(frame: unknown): string | null {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return 'A frame is a JSON object.';
  for (const key in frame) {
    if (key !== 'type' && key !== 'id' && key !== 'data') return `Unknown field "${key}".`;
  }
  const { type, id } = frame as { type?: unknown; id?: unknown };
  if (typeof type !== 'string') return '"type" must be a string.';
  if (id !== undefined && usableId(frame) === undefined)
    return '"id" must be a string of at most 128 characters.';
  return null;
}

interface Route {
  schema: z.ZodType;
  /** An allocation-free check that accepts only what `schema` accepts (hot-path frames). */
  fastCheck: ((data: unknown) => boolean) | undefined;
  handler: Handler<ClientType>;
}

/** Every how many frames one is timed (metrics: frame-in to frame-out latency). */
const LATENCY_SAMPLE = 8;

const FAST_CHECKS: Partial<Record<ClientType, (data: unknown) => boolean>> = {
  relay_ice: isRelayIceData,
  relay_sdp: isRelaySdpData,
};

export class Dispatcher {
  private readonly routes = new Map<string, Route>();
  private frameCount = 0;

  constructor(
    handlers: HandlerTable,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly observe: DispatchObserver = () => {},
  ) {
    for (const type of Object.keys(handlers) as ClientType[]) {
      this.routes.set(type, {
        schema: ClientData[type],
        fastCheck: FAST_CHECKS[type],
        handler: handlers[type] as Handler<ClientType>,
      });
    }
  }

  dispatch(connection: Connection, raw: Buffer | ArrayBuffer | Buffer[]): void {
    // One frame in LATENCY_SAMPLE is timed for the latency histogram; the clock read costs too.
    const startedAt = ++this.frameCount % LATENCY_SAMPLE === 0 ? performance.now() : 0;
    const now = this.clock.now();
    connection.lastSeenAt = now;
    const admission = connection.admit(now);
    if (admission !== 'ok') {
      this.observe('rate_limited', 'rate_limited', startedAt);
      if (admission === 'abusive') {
        this.log.warn({ session_id: connection.sessionId, ip: connection.ip }, 'closing abusive connection');
        connection.close(CLOSE_CODES.rate_limited, 'rate limit exceeded');
      } else {
        connection.send(encodeError('rate_limited'));
      }
      return;
    }

    let frame: unknown;
    try {
      frame = JSON.parse(textOf(raw));
    } catch {
      return this.reject(connection, 'invalid', 'invalid_json', undefined, startedAt);
    }
    const problem = envelopeProblem(frame);
    if (problem !== null)
      return this.reject(connection, 'invalid', 'invalid_frame', usableId(frame), startedAt, problem);
    const { type, id: replyId, data } = frame as Envelope & { type: string };
    const route = this.routes.get(type);
    if (!route) {
      const message = `Unknown message type "${type.slice(0, 64)}".`;
      return this.reject(connection, 'unknown', 'unknown_type', replyId, startedAt, message);
    }
    let valid: unknown = data;
    if (route.fastCheck === undefined || !route.fastCheck(data)) {
      const parsed = route.schema.safeParse(data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = issue.path.length ? `data.${issue.path.join('.')}` : 'data';
        return this.reject(
          connection,
          type,
          'invalid_frame',
          replyId,
          startedAt,
          `${where}: ${issue.message}`,
        );
      }
      valid = parsed.data;
    }

    try {
      const pending = route.handler({ connection, id: replyId, data: valid as never });
      if (pending) {
        pending.then(
          () => this.observe(type, undefined, startedAt),
          (error: unknown) => this.fail(connection, type, error, replyId, startedAt),
        );
        return;
      }
    } catch (error) {
      return this.fail(connection, type, error, replyId, startedAt);
    }
    this.observe(type, undefined, startedAt);
  }

  private fail(
    connection: Connection,
    type: string,
    error: unknown,
    id: string | undefined,
    startedAt: number,
  ): void {
    if (error instanceof AppError)
      return this.reject(connection, type, error.code, id, startedAt, error.message);
    this.log.error({ err: error, type, session_id: connection.sessionId }, 'handler failed');
    this.reject(connection, type, 'internal_error', id, startedAt);
  }

  private reject(
    connection: Connection,
    type: string,
    code: Parameters<typeof encodeError>[0],
    id: string | undefined,
    startedAt: number,
    message?: string,
  ): void {
    this.observe(type, code, startedAt);
    connection.send(encodeError(code, message, id));
  }
}

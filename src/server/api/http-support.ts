/** Shared pieces of the HTTP routers: body/query validation, bearer auth, client IP, error replies. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { ERROR_CODES, HTTP_STATUS, type ErrorCode } from '../../protocol/errors.ts';
import { AppError } from '../core/errors.ts';
import type { SessionManager } from '../core/session-manager.ts';
import type { SessionRecord } from '../storage/store.ts';

export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw new AppError('invalid_request', `${where}${issue.message}`);
}

export function bearerToken(request: FastifyRequest | IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

export function requireSession(sessions: SessionManager, request: FastifyRequest): SessionRecord {
  const session = sessions.authenticate(bearerToken(request));
  if (!session) throw new AppError('unauthorized');
  return session;
}

/** The client address: the socket's, or the first X-Forwarded-For hop when behind a trusted proxy. */
export function clientIp(request: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return request.socket.remoteAddress ?? null;
}

export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string = ERROR_CODES[code],
): FastifyReply {
  return reply.code(HTTP_STATUS[code]).send({ error: { code, message } });
}

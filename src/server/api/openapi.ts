/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that validate
 * requests (src/protocol), served at `GET /api/openapi.json`. The operation table below follows
 * PROTOCOL.md section 1 and its admin table; `docs.ts` renders it as a page at `/docs`.
 */
import { z } from 'zod';
import * as admin from '../../protocol/admin.ts';
import * as entities from '../../protocol/entities.ts';
import { ERROR_CODES, HTTP_STATUS, type ErrorCode } from '../../protocol/errors.ts';
import * as http from '../../protocol/http.ts';

export type Auth = 'none' | 'session' | 'admin' | 'session_or_admin' | 'metrics';

export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path, `{param}` style. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  query?: z.ZodObject;
  body?: string;
  bodyOptional?: boolean;
  /** status → [description, component schema name or content type marker]. */
  responses: Record<number, [string, string?]>;
  errors: ErrorCode[];
}

/** Named schemas, published under components.schemas. */
export const COMPONENTS: Record<string, z.ZodType> = {
  Session: entities.Session,
  ParticipantState: entities.ParticipantState,
  Participant: entities.Participant,
  Lobby: entities.Lobby,
  LobbySummary: entities.LobbySummary,
  ChatMessage: entities.ChatMessage,
  BotInfo: entities.BotInfo,
  ErrorBody: entities.ErrorBody,
  HealthResponse: http.HealthResponse,
  CreateSessionResponse: http.CreateSessionResponse,
  SessionResponse: http.SessionResponse,
  CreateLobbyBody: http.CreateLobbyBody,
  LobbyResponse: http.LobbyResponse,
  LobbyListResponse: http.LobbyListResponse,
  ChatResponse: http.ChatResponse,
  BotListResponse: http.BotListResponse,
  AddBotBody: http.AddBotBody,
  AddBotResponse: http.AddBotResponse,
  AdminSession: admin.AdminSession,
  AdminSessionList: admin.AdminSessionList,
  CleanupBody: admin.CleanupBody,
  CleanupResponse: admin.CleanupResponse,
  ProtectedName: admin.ProtectedName,
  ProtectedNameList: admin.ProtectedNameList,
  LoggedEvent: admin.LoggedEvent,
  EventPage: admin.EventPage,
  CreateBanBody: admin.CreateBanBody,
  Ban: admin.Ban,
  BanResponse: admin.BanResponse,
  BanList: admin.BanList,
  WebhookStatus: admin.WebhookStatus,
  WebhookList: admin.WebhookList,
};

const ADMIN_ERRORS: ErrorCode[] = ['admin_required', 'rate_limited'];

export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/api/system/health',
    tag: 'system',
    summary: 'Health document with counts',
    auth: 'none',
    responses: { 200: ['the health document', 'HealthResponse'] },
    errors: [],
  },
  {
    method: 'post',
    path: '/api/sessions',
    tag: 'sessions',
    summary: 'Create an anonymous session',
    description: 'Answers the session and its secret token (shown once; only a hash is stored).',
    auth: 'none',
    responses: { 201: ['a new session and its token', 'CreateSessionResponse'] },
    errors: ['banned', 'rate_limited', 'invalid_request'],
  },
  {
    method: 'get',
    path: '/api/sessions/me',
    tag: 'sessions',
    summary: 'The session of the bearer token',
    auth: 'session',
    responses: { 200: ['the session', 'SessionResponse'] },
    errors: ['unauthorized'],
  },
  {
    method: 'get',
    path: '/api/lobbies',
    tag: 'lobbies',
    summary: 'Public lobbies',
    auth: 'none',
    responses: { 200: ['public lobbies only', 'LobbyListResponse'] },
    errors: [],
  },
  {
    method: 'post',
    path: '/api/lobbies',
    tag: 'lobbies',
    summary: 'Create (or get) a lobby',
    description:
      'Public: create-or-get by name, compared case-insensitively (201 created, 200 existing). Private: always a new lobby (201).',
    auth: 'session',
    body: 'CreateLobbyBody',
    responses: {
      200: ['an existing public lobby of that name', 'LobbyResponse'],
      201: ['created', 'LobbyResponse'],
    },
    errors: ['unauthorized', 'invalid_request', 'invalid_lobby_name', 'banned'],
  },
  {
    method: 'get',
    path: '/api/lobbies/{id}',
    tag: 'lobbies',
    summary: 'A lobby with its participants',
    auth: 'none',
    responses: { 200: ['the lobby, participants included', 'LobbyResponse'] },
    errors: ['unknown_lobby'],
  },
  {
    method: 'get',
    path: '/api/lobbies/{id}/chat',
    tag: 'lobbies',
    summary: 'Chat history, oldest first',
    description: 'At most `limit` (default 50, max 200) messages before message `before`.',
    auth: 'none',
    query: http.ChatQuery,
    responses: { 200: ['messages, oldest first', 'ChatResponse'] },
    errors: ['unknown_lobby', 'invalid_request'],
  },
  {
    method: 'get',
    path: '/api/bots',
    tag: 'bots',
    summary: 'Bots the connected providers offer',
    auth: 'none',
    responses: { 200: ['the bots', 'BotListResponse'] },
    errors: [],
  },
  {
    method: 'post',
    path: '/api/lobbies/{id}/bots',
    tag: 'bots',
    summary: 'Ask a bot to join a lobby',
    description: 'Needs the session of a participant of that lobby, or the admin token.',
    auth: 'session_or_admin',
    body: 'AddBotBody',
    responses: { 202: ['the bot is asked to join', 'AddBotResponse'] },
    errors: [
      'unauthorized',
      'not_in_lobby',
      'unknown_lobby',
      'unknown_bot',
      'provider_unavailable',
      'invalid_request',
    ],
  },
  {
    method: 'delete',
    path: '/api/lobbies/{id}/bots/{session_id}',
    tag: 'bots',
    summary: 'Make a bot leave a lobby',
    auth: 'session_or_admin',
    responses: { 204: ['the bot leaves'] },
    errors: ['unauthorized', 'not_in_lobby', 'unknown_lobby', 'unknown_session'],
  },
  {
    method: 'get',
    path: '/api/admin/sessions',
    tag: 'admin',
    summary: 'Every session',
    auth: 'admin',
    responses: { 200: ['sessions', 'AdminSessionList'] },
    errors: ADMIN_ERRORS,
  },
  {
    method: 'delete',
    path: '/api/admin/sessions/{id}',
    tag: 'admin',
    summary: 'Kick and remove a session',
    description: 'Its sockets get `kicked` and close with 4003; the session is gone. A kick is not a ban.',
    auth: 'admin',
    responses: { 204: ['removed'] },
    errors: [...ADMIN_ERRORS, 'unknown_session'],
  },
  {
    method: 'post',
    path: '/api/admin/sessions/cleanup',
    tag: 'admin',
    summary: 'Remove idle sessions',
    description:
      'Sessions idle longer than `max_idle_seconds` (default SESSION_IDLE_DAYS), never a connected one.',
    auth: 'admin',
    body: 'CleanupBody',
    bodyOptional: true,
    responses: { 200: ['how many were removed', 'CleanupResponse'] },
    errors: [...ADMIN_ERRORS, 'invalid_request'],
  },
  {
    method: 'get',
    path: '/api/admin/names',
    tag: 'admin',
    summary: 'Protected names',
    auth: 'admin',
    responses: { 200: ['names', 'ProtectedNameList'] },
    errors: ADMIN_ERRORS,
  },
  {
    method: 'delete',
    path: '/api/admin/names/{name}/password',
    tag: 'admin',
    summary: 'Unprotect a name',
    auth: 'admin',
    responses: { 204: ['the name is no longer protected'] },
    errors: [...ADMIN_ERRORS, 'unknown_name'],
  },
  {
    method: 'delete',
    path: '/api/admin/lobbies/{id}',
    tag: 'admin',
    summary: 'Delete a lobby',
    description: 'Participants get `lobby_closed`.',
    auth: 'admin',
    responses: { 204: ['deleted'] },
    errors: [...ADMIN_ERRORS, 'unknown_lobby'],
  },
  {
    method: 'get',
    path: '/api/admin/events',
    tag: 'admin',
    summary: 'Page through the event log',
    description:
      'Events with seq > `after` (default 0), at most `limit` (default 100, max 1000); replayable from any point.',
    auth: 'admin',
    query: admin.EventsQuery,
    responses: { 200: ['a page of events', 'EventPage'] },
    errors: [...ADMIN_ERRORS, 'invalid_request'],
  },
  {
    method: 'post',
    path: '/api/admin/bans',
    tag: 'admin',
    summary: 'Ban a session, address or name',
    description:
      'The ban covers creating sessions, connecting, taking the name and joining; connected sockets it covers get `kicked` with `banned: true`.',
    auth: 'admin',
    body: 'CreateBanBody',
    responses: { 201: ['the ban', 'BanResponse'] },
    errors: [...ADMIN_ERRORS, 'invalid_request'],
  },
  {
    method: 'get',
    path: '/api/admin/bans',
    tag: 'admin',
    summary: 'Bans in force',
    auth: 'admin',
    responses: { 200: ['bans', 'BanList'] },
    errors: ADMIN_ERRORS,
  },
  {
    method: 'delete',
    path: '/api/admin/bans/{id}',
    tag: 'admin',
    summary: 'Lift a ban',
    auth: 'admin',
    responses: { 204: ['lifted'] },
    errors: [...ADMIN_ERRORS, 'unknown_ban'],
  },
  {
    method: 'get',
    path: '/api/admin/webhooks',
    tag: 'admin',
    summary: 'Webhooks and their delivery cursors',
    description:
      'Each URL of WEBHOOK_URLS (credentials and query values masked) with the seq it has acknowledged, the events it lags by and its last error.',
    auth: 'admin',
    responses: { 200: ['webhooks', 'WebhookList'] },
    errors: ADMIN_ERRORS,
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary: 'Prometheus metrics',
    description: 'Prometheus text format. Needs the admin token unless METRICS_PUBLIC=true.',
    auth: 'metrics',
    responses: { 200: ['Prometheus text exposition format', 'text/plain'] },
    errors: ['admin_required', 'rate_limited'],
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    tag: 'operations',
    summary: 'This OpenAPI document',
    auth: 'none',
    responses: { 200: ['OpenAPI 3.1 document', 'application/json'] },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'operations',
    summary: 'The API documentation as a page',
    auth: 'none',
    responses: { 200: ['HTML page', 'text/html'] },
    errors: [],
  },
];

type Json = Record<string, unknown>;

/** JSON Schemas of COMPONENTS, refs between them as `#/components/schemas/<name>`. */
export function componentSchemas(io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io,
    unrepresentable: 'any',
  }) as { schemas: Record<string, Json> };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return schemas;
}

const SECURITY: Record<Auth, Json[] | undefined> = {
  none: [],
  session: [{ sessionToken: [] }],
  admin: [{ adminToken: [] }],
  session_or_admin: [{ sessionToken: [] }, { adminToken: [] }],
  metrics: [{ adminToken: [] }, {}],
};

function pathParams(path: string): Json[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
}

function queryParams(query: z.ZodObject | undefined): Json[] {
  if (!query) return [];
  const schema = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

function content(target: string): Json {
  if (target.includes('/')) return { [target]: { schema: { type: 'string' } } };
  return { 'application/json': { schema: { $ref: `#/components/schemas/${target}` } } };
}

function errorResponses(codes: ErrorCode[]): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'internal_error' as const]) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: list.map((code) => `\`${code}\`: ${ERROR_CODES[code]}`).join('\n\n'),
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/ErrorBody' },
          examples: Object.fromEntries(
            list.map((code) => [code, { value: { error: { code, message: ERROR_CODES[code] } } }]),
          ),
        },
      },
    };
  }
  return out;
}

let cached: Json | null = null;

export function openApiDocument(version: string): Json {
  if (cached && (cached.info as Json).version === version) return cached;
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of OPERATIONS) {
    const operation: Json = {
      operationId: `${op.method}${op.path.replace(/[^a-zA-Z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description && { description: op.description }),
      security: SECURITY[op.auth],
      parameters: [...pathParams(op.path), ...queryParams(op.query)],
      ...(op.body && {
        requestBody: {
          required: !op.bodyOptional,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.body}` } } },
        },
      }),
      responses: {
        ...Object.fromEntries(
          Object.entries(op.responses).map(([status, [description, target]]) => [
            status,
            { description, ...(target && { content: content(target) }) },
          ]),
        ),
        ...errorResponses(op.errors),
      },
    };
    (paths[op.path] ??= {})[op.method] = operation;
  }
  // Request bodies are validated as input, responses are output; the named schemas are the
  // same in both directions except for defaults, so the input view is published.
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'AI Voice Bot server',
      version,
      description:
        'HTTP API of the AI Voice Bot server. The WebSocket protocol (`/ws`, `/ws/providers`) is documented in docs/protocol.md. Every error body is `{"error": {"code", "message"}}`; the code is stable.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'system' },
      { name: 'sessions' },
      { name: 'lobbies' },
      { name: 'bots' },
      { name: 'admin', description: 'Needs `Authorization: Bearer <admin token>`.' },
      { name: 'operations' },
    ],
    paths,
    components: {
      schemas: componentSchemas('input'),
      securitySchemes: {
        sessionToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The token of POST /api/sessions.',
        },
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'ADMIN_TOKEN, or the one made on first start and kept in DATA_DIR.',
        },
      },
    },
  };
  return cached;
}

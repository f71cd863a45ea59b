/**
 * Configuration from the environment (and an optional `.env` file), validated once at start.
 * Every setting is listed in SETTINGS with its default and meaning; `--help` prints that table.
 */
import { z } from 'zod';
import { IceServer } from '../protocol/entities.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
const list = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

interface Setting {
  schema: z.ZodType;
  default?: string;
  help: string;
}

export const SETTINGS = {
  PORT: { schema: int(0, 65535), default: '8000', help: 'TCP port of HTTP and WebSocket' },
  HOST: { schema: z.string().min(1), default: '0.0.0.0', help: 'address to listen on' },
  DATA_DIR: {
    schema: z.string().min(1),
    default: './data',
    help: 'directory of the SQLite database and generated secrets',
  },
  ADMIN_TOKEN: {
    schema: z.string().min(16).optional(),
    help: 'admin API token (≥16 chars); made on first start and kept in DATA_DIR when unset',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    help: 'pino log level',
  },
  RECONNECT_GRACE_MS: {
    schema: int(0),
    default: '30000',
    help: 'how long a disconnected session keeps its name and lobbies',
  },
  HEARTBEAT_TIMEOUT_MS: {
    schema: int(1000),
    default: '30000',
    help: 'a socket silent this long is dropped (the server pings at a third of it)',
  },
  LOBBY_MAX_PARTICIPANTS: { schema: int(1, 10_000), default: '16', help: 'capacity of a lobby' },
  SESSION_IDLE_DAYS: {
    schema: z.coerce.number().min(0),
    default: '30',
    help: 'sessions unseen this long are removed by the hourly expiry job (0: never)',
  },
  ICE_SERVERS: {
    schema: json(z.array(IceServer)),
    default: '[]',
    help: 'JSON list of RTCIceServer given to clients in welcome, e.g. [{"urls":"stun:stun.example.org"}]',
  },
  TURN_URLS: {
    schema: list,
    default: '',
    help: 'comma-separated TURN URLs that get time-limited credentials (needs TURN_SECRET)',
  },
  TURN_SECRET: { schema: z.string().min(1).optional(), help: 'coturn use-auth-secret shared secret' },
  TURN_TTL_S: { schema: int(60), default: '86400', help: 'lifetime of a TURN credential' },
  WS_RATE_BURST: { schema: int(1), default: '200', help: 'per-connection token bucket size (messages)' },
  WS_RATE_REFILL_PER_SEC: {
    schema: int(1),
    default: '50',
    help: 'per-connection token bucket refill per second',
  },
  WS_ABUSE_LIMIT: {
    schema: int(1),
    default: '200',
    help: 'rate-limited frames within 10 s after which the socket closes with 4008',
  },
  SESSION_CREATE_PER_MIN: {
    schema: int(1),
    default: '300',
    help: 'POST /api/sessions per client IP per minute',
  },
  PASSWORD_ATTEMPTS: {
    schema: int(1),
    default: '5',
    help: 'failed password attempts per name within PASSWORD_ATTEMPT_WINDOW_S',
  },
  PASSWORD_ATTEMPTS_PER_IP: {
    schema: int(1),
    default: '20',
    help: 'failed password attempts per client IP (any name) within the window',
  },
  PASSWORD_ATTEMPT_WINDOW_S: { schema: int(1), default: '300', help: 'window of the failed password limit' },
  TRUST_PROXY: {
    schema: bool,
    default: 'false',
    help: 'take client IPs from X-Forwarded-For (only behind a trusted proxy)',
  },
  SQLITE_SYNCHRONOUS: {
    schema: z.enum(['normal', 'full']),
    default: 'normal',
    help: 'SQLite synchronous mode in WAL: normal survives process crashes, full also power loss',
  },
  METRICS_PUBLIC: { schema: bool, default: 'false', help: 'serve /metrics without the admin token' },
  BOTS: {
    schema: z.enum(['on', 'off']),
    default: 'on',
    help: 'start the built-in bot provider with the server',
  },
  BOT_PROVIDER_KEY: {
    schema: z.string().min(16).optional(),
    help: 'key of /ws/providers; made on first start and kept in DATA_DIR when unset',
  },
  WEBHOOK_URLS: { schema: list, default: '', help: 'comma-separated URLs that receive the event log' },
  WEBHOOK_SECRET: { schema: z.string().min(1).optional(), help: 'HMAC-SHA256 secret signing webhook bodies' },
  WEBHOOK_BATCH: { schema: int(1, 1000), default: '100', help: 'most events in one webhook POST' },
  WEBHOOK_TIMEOUT_MS: {
    schema: int(100),
    default: '10000',
    help: 'a webhook request not answered within this is aborted and retried',
  },
  WEBHOOK_MIN_BACKOFF_MS: {
    schema: int(1),
    default: '1000',
    help: 'first webhook retry delay (doubles per failure)',
  },
  WEBHOOK_MAX_BACKOFF_MS: {
    schema: int(1),
    default: '60000',
    help: 'cap of the webhook retry delay (retries never stop)',
  },
  EVENT_RETENTION_DAYS: {
    schema: z.coerce.number().min(0),
    default: '30',
    help: 'events older than this are pruned (0: keep)',
  },
  EVENT_RETENTION_COUNT: {
    schema: int(0),
    default: '1000000',
    help: 'keep at most this many events (0: no limit)',
  },
  WEB_ROOT: {
    schema: z.string().min(1),
    default: './dist/web',
    help: 'directory of the built browser client served at /',
  },
} satisfies Record<string, Setting>;

type Settings = typeof SETTINGS;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export class ConfigError extends Error {}

/** Validate `env` against SETTINGS; throws ConfigError listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [string, Setting][]) {
    const raw = env[key] === '' && setting.default === undefined ? undefined : (env[key] ?? setting.default);
    const result = setting.schema.safeParse(raw);
    if (result.success) config[key] = result.data;
    else
      problems.push(
        `${key}=${JSON.stringify(raw)}: ${result.error.issues.map((issue) => issue.message).join('; ')}`,
      );
  }
  if (env.TURN_URLS && !env.TURN_SECRET) problems.push('TURN_URLS is set but TURN_SECRET is not');
  if (env.WEBHOOK_URLS?.trim() && !env.WEBHOOK_SECRET)
    problems.push('WEBHOOK_URLS is set but WEBHOOK_SECRET is not');
  for (const url of (config.WEBHOOK_URLS as string[] | undefined) ?? []) {
    if (!/^https?:\/\/[^/]/i.test(url))
      problems.push(`WEBHOOK_URLS: ${JSON.stringify(url)} is not an http(s) URL`);
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config as Config;
}

export function helpText(): string {
  const rows = Object.entries(SETTINGS as Record<string, Setting>).map(
    ([key, setting]) =>
      `  ${key.padEnd(26)} ${setting.help}${setting.default !== undefined ? ` (default: ${setting.default || '""'})` : ''}`,
  );
  return [
    'AI Voice Bot server',
    '',
    'Usage: npm start [-- --help]',
    '',
    'Settings come from the environment or a .env file in the working directory:',
    ...rows,
    '',
  ].join('\n');
}

#!/usr/bin/env -S node --import tsx
/**
 * Writes docs/protocol.md: the prose of docs/protocol.template.md with its `{{PLACEHOLDERS}}`
 * filled from the code: the WebSocket frame tables from the zod schemas of src/protocol/ws.ts and
 * provider.ts (with CLIENT_DOC and the notes below), the error codes, close codes, the event
 * list (src/server/events/types.ts) and the shared types. A frame, event or code without a note
 * here is an error, so the document cannot fall behind the code.
 *
 * Usage: npm run gen:protocol-doc          (write docs/protocol.md)
 *        npm run gen:protocol-doc -- --check (exit 1 when docs/protocol.md is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import * as entities from '../src/protocol/entities.ts';
import { CLOSE_CODES, ERROR_CODES, ERROR_CODE_LIST, HTTP_STATUS } from '../src/protocol/errors.ts';
import { BotCapability, BotDefinition, ProviderData, ProviderServerData } from '../src/protocol/provider.ts';
import * as rules from '../src/protocol/text-rules.ts';
import { CLIENT_DOC, ClientData, IceCandidate, ServerData, SessionDescription } from '../src/protocol/ws.ts';
import { EVENT_TYPES } from '../src/server/events/types.ts';

const ROOT = new URL('..', import.meta.url);
const TEMPLATE = new URL('docs/protocol.template.md', ROOT);
const OUTPUT = new URL('docs/protocol.md', ROOT);
const EVENT_SOURCE = new URL('src/server/events/types.ts', ROOT);

/** When each server-to-client frame is sent. */
const SERVER_DOC: Record<keyof typeof ServerData, string> = {
  welcome:
    'first frame on every connection; `lobby_ids` (*added*): the lobbies this session is still in after a reconnect inside the grace window',
  name_set: 'reply to `set_name`',
  lobby_joined: 'reply to `join_lobby`; `chat` holds the last 50 messages',
  lobby_left: 'reply to `leave_lobby`',
  chat_message: 'to every participant of the lobby, sender included, after the message is stored',
  chat_history: 'reply to `get_chat`',
  sdp: 'a peer relayed a session description (`peer_id` is the sender)',
  ice: 'a peer relayed an ICE candidate (`peer_id` is the sender; `candidate: null` ends the candidates)',
  peer_state: 'a participant of the lobby changed `muted` or `speaking`; `state` is always the full state',
  pong: 'reply to `ping`',
  participant_joined: 'to the others in the lobby when someone joins',
  participant_left:
    'to the others in the lobby when someone leaves (not for a reconnect inside the grace window)',
  participant_updated: '*added*: to the others in the lobby when a participant changes its name',
  add_peer:
    'on a join the joiner gets one per participant already there with `should_create_offer: true`; each of them gets one for the joiner with `false`. An `add_peer` for a peer already known means: start that connection afresh',
  remove_peer: 'a peer left the lobby: close its connection',
  lobby_closed: 'the lobby was deleted (by the operator); you are no longer in it',
  kicked: 'after a kick or a ban, then the socket closes with 4003',
  error: 'a client frame failed (carries its `id`), or a rate limit was hit',
};

const PROVIDER_DOC: Record<keyof typeof ProviderData, string> = {
  register: 'first frame: the provider names itself and the bots it offers; answered by `registered`',
  spawned: 'a `spawn` succeeded: the bot session is joining',
  spawn_failed: 'a `spawn` failed',
  bot_ended:
    'a running bot ended on its own (crashed, or left): the server removes its session at once and records `bot.removed` with the reason',
  ping: '`pong`',
};

const PROVIDER_SERVER_DOC: Record<keyof typeof ProviderServerData, string> = {
  registered: 'reply to `register`',
  spawn:
    'start a bot of kind `bot` in `lobby_id` under `name`, using the session `token` (a secret: never log it)',
  despawn: 'stop that bot',
  pong: 'reply to `ping`',
  error: 'a frame failed; the socket stays up unless the key was wrong',
};

const EVENT_DOC: Record<string, string> = {
  'session.created': 'a session was created (`POST /api/sessions`, or a bot spawned)',
  'session.renamed': 'a session took a name (`previous`: the name it had)',
  'session.connected': 'a socket of the session opened',
  'session.disconnected': 'the socket closed (the grace window starts)',
  'session.removed': 'the session is gone (kicked, cleaned up, expired)',
  'name.protected': 'a password now protects the name',
  'name.unprotected': 'the name lost its password (`by`: who removed it)',
  'lobby.created': 'a lobby was created',
  'lobby.deleted': 'a lobby was deleted',
  'lobby.joined': 'a participant joined a lobby',
  'lobby.left': 'a participant left a lobby (`reason`: left, disconnected, kicked, …)',
  'chat.sent': 'a chat message was stored',
  'bot.spawned': 'a provider started a bot in a lobby',
  'bot.removed': 'a bot left a lobby',
  'admin.action': 'an operator action through the admin API (kick, cleanup, ban, …)',
};

const CLOSE_DOC: Record<keyof typeof CLOSE_CODES, string> = {
  going_away: 'the server is shutting down (SIGTERM): reconnect',
  message_too_big: 'a frame larger than 64 KiB',
  unauthorized: 'bad or missing token',
  replaced: 'another connection with the same token took over',
  kicked: 'kicked or banned (after a `kicked` frame)',
  rate_limited: 'persistent flooding',
};

/** Shared types, named in the tables instead of spelt out. */
const NAMED: Record<string, z.ZodType> = {
  Session: entities.Session,
  Lobby: entities.Lobby,
  LobbySummary: entities.LobbySummary,
  Participant: entities.Participant,
  ParticipantState: entities.ParticipantState,
  ChatMessage: entities.ChatMessage,
  BotInfo: entities.BotInfo,
  IceServer: entities.IceServer,
  SessionDescription,
  IceCandidate,
  BotDefinition,
  BotCapability,
};

type Json = Record<string, any>;

/** JSON Schemas of the named types and of `frames` (keyed `<prefix>:<type>`), refs by name. */
function schemas(frames: Record<string, z.ZodType>): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED)) registry.add(schema, { id });
  for (const [id, schema] of Object.entries(frames)) if (!registry.has(schema)) registry.add(schema, { id });
  return (
    z.toJSONSchema(registry, { uri: (id) => `#${id}`, io: 'input', unrepresentable: 'any' }) as {
      schemas: Record<string, Json>;
    }
  ).schemas;
}

const esc = (text: string): string => text.replace(/\|/g, '\\|');

/** A compact type expression of a JSON Schema (for a Markdown table cell). */
function typeOf(schema: Json | undefined, depth = 0): string {
  if (!schema || Object.keys(schema).filter((key) => key !== 'description').length === 0) return 'any';
  if (schema.$ref) return String(schema.$ref).slice(1);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value: unknown) => JSON.stringify(value)).join(' | ');
  if (schema.anyOf ?? schema.oneOf)
    return (schema.anyOf ?? schema.oneOf).map((s: Json) => typeOf(s, depth)).join(' | ');
  if (Array.isArray(schema.type))
    return schema.type.map((type: string) => typeOf({ ...schema, type }, depth)).join(' | ');
  if (schema.type === 'array') {
    const item = typeOf(schema.items, depth);
    return item.includes(' ') && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
  }
  if (schema.type === 'object') {
    const properties = Object.entries<Json>(schema.properties ?? {});
    if (properties.length === 0)
      return schema.additionalProperties && Object.keys(schema.additionalProperties).length
        ? `{[key]: ${typeOf(schema.additionalProperties, depth)}}`
        : '{}';
    const required = new Set<string>(schema.required ?? []);
    return `{${properties
      .map(([name, property]) => `${name}${required.has(name) ? '' : '?'}: ${typeOf(property, depth + 1)}`)
      .join(', ')}}`;
  }
  const limits: string[] = [];
  if (schema.minLength !== undefined && schema.minLength > 0) limits.push(`≥${schema.minLength}`);
  if (schema.maxLength !== undefined) limits.push(`≤${schema.maxLength}`);
  if (schema.minimum !== undefined && schema.minimum !== 0 && schema.minimum > Number.MIN_SAFE_INTEGER)
    limits.push(`≥${schema.minimum}`);
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER)
    limits.push(`≤${schema.maximum}`);
  return `${schema.type ?? 'any'}${limits.length ? `(${limits.join(', ')})` : ''}`;
}

/** The `data` column of a frame: `—` when it has none, `data?` when it may be left out. */
function dataOf(schema: Json | undefined): string {
  if (!schema) return '—';
  const text = typeOf(schema);
  return text === '{}' ? '— (or `{}`)' : `\`${esc(text)}\``;
}

function frameTable(
  prefix: string,
  frames: Record<string, z.ZodType>,
  notes: Record<string, string>,
  header: [string, string, string],
): string {
  const keyed = Object.fromEntries(
    Object.entries(frames).map(([type, schema]) => [`${prefix}:${type}`, schema]),
  );
  const all = schemas(keyed);
  const rows = Object.keys(frames).map((type) => {
    const note = notes[type];
    if (!note) throw new Error(`${prefix} frame "${type}" has no description in the generator`);
    const schema = frames[type]!;
    const id = Object.entries(NAMED).find(([, named]) => named === schema)?.[0];
    const json = id ? { $ref: `#${id}` } : all[`${prefix}:${type}`];
    return `| \`${type}\` | ${dataOf(json)} | ${esc(note)} |`;
  });
  return [`| ${header.join(' | ')} |`, '| --- | --- | --- |', ...rows].join('\n');
}

function clientFrames(): string {
  return frameTable('client', ClientData, CLIENT_DOC, ['type', 'data', 'reply and effects']);
}

function serverFrames(): string {
  return frameTable('server', ServerData, SERVER_DOC, ['type', 'data', 'when']);
}

function closeCodes(): string {
  const rows = Object.entries(CLOSE_CODES)
    .sort((a, b) => a[1] - b[1])
    .map(([name, code]) => `| ${code} | \`${name}\` | ${CLOSE_DOC[name as keyof typeof CLOSE_CODES]} |`);
  return ['| code | name | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function errorCodes(): string {
  const rows = ERROR_CODE_LIST.map(
    (code) => `| \`${code}\` | ${HTTP_STATUS[code]} | ${esc(ERROR_CODES[code])} |`,
  );
  return [
    'Every code the server answers, over HTTP (with the status shown) or in a WebSocket `error` frame.',
    '',
    '| code | HTTP status | message |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Event types with their data, read from the EventData interface of events/types.ts. */
function events(): string {
  const source = readFileSync(EVENT_SOURCE, 'utf8');
  const body = /export interface EventData \{([\s\S]*?)\n\}/.exec(source)?.[1];
  if (!body) throw new Error('EventData not found in src/server/events/types.ts');
  const data = new Map<string, string>();
  for (const match of body.matchAll(/'([a-z]+\.[a-z]+)':\s*(\{[^;]*?(?:;[^;}]*)*\});/g)) {
    data.set(match[1]!, match[2]!.replace(/\s+/g, ' ').replace(/; \}/, ' }'));
  }
  const rows = EVENT_TYPES.map((type) => {
    const fields = data.get(type);
    if (!fields) throw new Error(`event "${type}" has no data type in EventData`);
    const note = EVENT_DOC[type];
    if (!note) throw new Error(`event "${type}" has no description in the generator`);
    return `| \`${type}\` | \`${esc(fields)}\` | ${esc(note)} |`;
  });
  return ['| type | data | when |', '| --- | --- | --- |', ...rows].join('\n');
}

function sharedTypes(): string {
  const all = schemas({});
  return Object.keys(NAMED)
    .map((name) => {
      const schema = all[name]!;
      const properties = Object.entries<Json>(schema.properties ?? {});
      if (properties.length === 0) return `### ${name}\n\n\`${typeOf(schema)}\``;
      const required = new Set<string>(schema.required ?? []);
      const rows = properties.map(
        ([field, property]) =>
          `| \`${field}\`${required.has(field) ? '' : ' (optional)'} | \`${esc(typeOf(property))}\` | ${esc(property.description ?? '')} |`,
      );
      const nullable = schema.anyOf ? `\n\n\`${typeOf(schema)}\`` : '';
      return `### ${name}${nullable}\n\n| field | type | notes |\n| --- | --- | --- |\n${rows.join('\n')}`;
    })
    .join('\n\n');
}

export function renderProtocolDoc(): string {
  const values: Record<string, () => string> = {
    GENERATED_NOTICE: () =>
      'Generated by scripts/gen-protocol-doc.ts from docs/protocol.template.md and src/protocol: edit those and run `npm run gen:protocol-doc`.',
    CLIENT_FRAMES: clientFrames,
    SERVER_FRAMES: serverFrames,
    CLOSE_CODES: closeCodes,
    PROVIDER_FRAMES: () =>
      frameTable('provider', ProviderData, PROVIDER_DOC, ['type', 'data', 'meaning and answer']),
    PROVIDER_SERVER_FRAMES: () =>
      frameTable('provider-server', ProviderServerData, PROVIDER_SERVER_DOC, ['type', 'data', 'meaning']),
    EVENTS: events,
    ERROR_CODES: errorCodes,
    SHARED_TYPES: sharedTypes,
    NAME_MAX: () => String(rules.NAME_MAX),
    PASSWORD_MIN: () => String(rules.PASSWORD_MIN),
    PASSWORD_MAX: () => String(rules.PASSWORD_MAX),
    LOBBY_NAME_MAX: () => String(rules.LOBBY_NAME_MAX),
    CHAT_TEXT_MAX: () => String(rules.CHAT_TEXT_MAX),
  };
  const template = readFileSync(TEMPLATE, 'utf8');
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (!value) throw new Error(`unknown placeholder {{${key}}} in docs/protocol.template.md`);
    return value();
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = renderProtocolDoc();
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUTPUT, 'utf8');
    if (current !== text) {
      process.stderr.write('docs/protocol.md is stale: run npm run gen:protocol-doc\n');
      process.exit(1);
    }
  } else {
    writeFileSync(OUTPUT, text);
    process.stdout.write(`wrote ${fileURLToPath(OUTPUT)}\n`);
  }
}

/**
 * API docs: `GET /api/openapi.json` (the generated OpenAPI document) and `GET /docs`, a page
 * rendered on the server from that document: no script, no CDN, one same-origin stylesheet, so
 * it works offline and under the strict Content-Security-Policy the static files carry.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppServices } from '../services.ts';
import { openApiDocument } from './openapi.ts';
import { contentSecurityPolicy } from './static.ts';

type Json = Record<string, any>;

const escapeHtml = (text: unknown): string =>
  String(text).replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

/** Inline `code` spans of the descriptions, on already-escaped text. */
const inline = (text: string): string => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);
const link = (name: string): string => `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;

/** A short type expression of a JSON Schema, refs as links. */
function typeOf(schema: Json | undefined): string {
  if (!schema || Object.keys(schema).length === 0) return 'any';
  if (schema.$ref) return link(refName(schema.$ref));
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (schema.enum)
    return schema.enum.map((v: unknown) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.oneOf) return schema.oneOf.map(typeOf).join(' | ');
  if (Array.isArray(schema.type))
    return schema.type.map((type: string) => typeOf({ ...schema, type })).join(' | ');
  if (schema.type === 'array') return `${typeOf(schema.items)}[]`;
  if (schema.type === 'object' && schema.properties) return 'object';
  if (schema.type === 'object' && schema.additionalProperties)
    return `map of ${typeOf(schema.additionalProperties)}`;
  const limits = [
    schema.minLength !== undefined && `≥${schema.minLength} chars`,
    schema.maxLength !== undefined && `≤${schema.maxLength} chars`,
    schema.minimum !== undefined && `≥${schema.minimum}`,
    schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER && `≤${schema.maximum}`,
    schema.format,
  ].filter(Boolean);
  return `${escapeHtml(schema.type ?? 'any')}${limits.length ? ` <small>(${escapeHtml(limits.join(', '))})</small>` : ''}`;
}

function propertyTable(schema: Json): string {
  const properties: Record<string, Json> = schema.properties ?? {};
  if (Object.keys(properties).length === 0) return `<p>${typeOf(schema)}</p>`;
  const required = new Set<string>(schema.required ?? []);
  const rows = Object.entries(properties).map(
    ([name, property]) =>
      `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? '' : ' <small>optional</small>'}</td><td>${typeOf(property)}</td><td>${property.description ? inline(property.description) : ''}${property.type === 'object' && property.properties ? propertyTable(property) : ''}</td></tr>`,
  );
  return `<table><thead><tr><th>field</th><th>type</th><th>notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const AUTH_TEXT = (security: Json[]): string => {
  if (security.length === 0) return 'none';
  return security
    .map((entry) => Object.keys(entry)[0] ?? 'none (when METRICS_PUBLIC=true)')
    .map((name) => ({ sessionToken: 'session token', adminToken: 'admin token' })[name] ?? name)
    .join(' or ');
};

export function renderDocsPage(document: Json): string {
  const sections: string[] = [];
  const toc: string[] = [];
  for (const tag of document.tags as { name: string; description?: string }[]) {
    const ops: string[] = [];
    for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(methods)) {
        if (op.tags[0] !== tag.name) continue;
        const anchor = `op-${op.operationId}`;
        toc.push(
          `<li><a href="#${anchor}"><span class="m ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a></li>`,
        );
        const params = (op.parameters as Json[]).map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code> <small>${escapeHtml(p.in)}${p.required ? '' : ', optional'}</small></td><td>${typeOf(p.schema)}</td></tr>`,
        );
        const body = op.requestBody
          ? `<p><b>Body</b>${op.requestBody.required ? '' : ' (optional)'}: ${typeOf(op.requestBody.content['application/json'].schema)}</p>`
          : '';
        const responses = Object.entries(op.responses as Record<string, Json>).map(([status, response]) => {
          const media = response.content ? Object.keys(response.content)[0]! : '';
          const schema =
            media === 'application/json' ? typeOf(response.content[media].schema) : escapeHtml(media);
          return `<tr><td class="s${status[0]}">${escapeHtml(status)}</td><td>${schema}</td><td>${inline(response.description).replace(/\n\n/g, '<br>')}</td></tr>`;
        });
        ops.push(`<section class="op" id="${anchor}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${inline(op.summary)}${op.description ? `. ${inline(op.description)}` : ''}</p>
<p><b>Auth</b>: ${escapeHtml(AUTH_TEXT(op.security))}</p>
${params.length ? `<table><thead><tr><th>parameter</th><th>type</th></tr></thead><tbody>${params.join('')}</tbody></table>` : ''}
${body}
<table><thead><tr><th>status</th><th>body</th><th>meaning</th></tr></thead><tbody>${responses.join('')}</tbody></table>
</section>`);
      }
    }
    if (ops.length)
      sections.push(
        `<h2 id="tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</h2>${tag.description ? `<p>${inline(tag.description)}</p>` : ''}${ops.join('\n')}`,
      );
  }
  const schemas = Object.entries(document.components.schemas as Record<string, Json>).map(
    ([name, schema]) =>
      `<section class="schema" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${schema.description ? `<p>${inline(schema.description)}</p>` : ''}${propertyTable(schema)}</section>`,
  );
  const info = document.info as Json;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} API ${escapeHtml(info.version)}</title>
<link rel="stylesheet" href="/docs/docs.css">
<link rel="icon" href="data:,">
</head>
<body>
<nav><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p><a href="/api/openapi.json">openapi.json</a></p>
<ul>${toc.join('')}</ul>
<p><a href="#schemas">Schemas</a></p></nav>
<main>
<p>${inline(info.description)}</p>
${sections.join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas.join('\n')}
</main>
</body>
</html>
`;
}

const CSS = `body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2330;display:flex}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:22rem;flex:none;background:#f3f5f9;padding:1rem;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding:0}nav li{margin:.2rem 0}nav a{text-decoration:none;color:inherit}
main{padding:1rem 2rem;max-width:60rem}h1{font-size:1.2rem}h2{border-bottom:2px solid #dde2ec;margin-top:2rem}
.op,.schema{border:1px solid #dde2ec;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:3.5rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;font-weight:600;padding:0 .3rem}
.get{background:#2f7bd8}.post{background:#2e9b5f}.delete{background:#c8423b}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-top:1px solid #e6e9f0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{font-size:12px;color:#5a6378}code{background:#eef1f6;border-radius:3px;padding:0 .2rem}
.s2{color:#2e9b5f}.s4{color:#b36b00}.s5{color:#c8423b}small{color:#5a6378}
`;

export function docsRoutes(app: FastifyInstance, services: Pick<AppServices, 'version'>): void {
  const page = () => renderDocsPage(openApiDocument(services.version));
  let html: string | null = null;
  const secure = (reply: FastifyReply, host: string | undefined) =>
    reply
      .header('content-security-policy', contentSecurityPolicy(host))
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache');

  app.get('/api/openapi.json', async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send(openApiDocument(services.version)),
  );
  app.get('/docs', async (request, reply) =>
    secure(reply, request.headers.host)
      .type('text/html; charset=utf-8')
      .send((html ??= page())),
  );
  app.get('/docs/docs.css', async (request, reply) =>
    secure(reply, request.headers.host).type('text/css; charset=utf-8').send(CSS),
  );
}

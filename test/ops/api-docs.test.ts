/**
 * API docs: the OpenAPI document is valid JSON, OpenAPI 3.1, covers every route of PROTOCOL.md
 * (section 1 and the admin table) with resolvable schema references; `/docs` is a
 * self-contained page that works under the strict CSP (no script, no inline style, no CDN).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROOT, startServer, type RunningServer } from '../helpers/server.ts';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** `METHOD /path` pairs named in the tables of a protocol document. */
function contractRoutes(markdown: string): { method: string; path: string }[] {
  const routes = [...markdown.matchAll(/`(GET|POST|DELETE|PUT|PATCH) (\/[^`\s]*)/g)].map((match) => ({
    method: match[1]!.toLowerCase(),
    path: match[2]!.split('?')[0]!.replace(/\{session_id\}/g, '{session_id}'),
  }));
  return routes.filter((route) => route.path.startsWith('/api') || route.path === '/metrics');
}

test('GET /api/openapi.json: OpenAPI 3.1 with every route of the contract', async () => {
  const response = await fetch(`${server.url}/api/openapi.json`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const doc = JSON.parse(await response.text());
  assert.equal(doc.openapi, '3.1.0');
  const validator = new Validator();
  const validation = await validator.validate(doc);
  assert.deepEqual(validation.errors, undefined, JSON.stringify(validation.errors, null, 1)?.slice(0, 2000));
  assert.equal(validation.valid, true);
  assert.equal(validator.version, '3.1');
  assert.equal(doc.info.version, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

  const sources = [join(ROOT, 'docs/protocol.md'), join(ROOT, '../shared/PROTOCOL.md')].filter(existsSync);
  assert.ok(sources.length >= 1);
  for (const source of sources) {
    const routes = contractRoutes(readFileSync(source, 'utf8'));
    assert.ok(routes.length >= 20, `${source}: found ${routes.length} routes`);
    for (const { method, path } of routes) {
      assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} (from ${source}) is documented`);
    }
  }

  // Every $ref resolves; every operation has responses, an id, and error bodies use ErrorBody.
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  assert.ok(refs.length > 50);
  for (const ref of new Set(refs)) {
    const name = ref.slice('"$ref":"#/components/schemas/'.length, -1);
    assert.ok(doc.components.schemas[name], `${ref} resolves`);
  }
  const ids = new Set<string>();
  for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      assert.ok(!ids.has(op.operationId), `${op.operationId} is unique`);
      ids.add(op.operationId);
      assert.ok(
        Object.keys(op.responses).some((status) => status.startsWith('2')),
        `${method} ${path}`,
      );
      for (const name of path.match(/\{(\w+)\}/g) ?? [])
        assert.ok(
          op.parameters.some((p: any) => `{${p.name}}` === name && p.in === 'path'),
          `${name} of ${path}`,
        );
    }
  }
  // Schemas come from the zod schemas: strict request bodies, limits included.
  const ban = doc.components.schemas.CreateBanBody;
  assert.equal(ban.additionalProperties, false);
  assert.deepEqual(ban.required, ['reason']);
  assert.equal(ban.properties.reason.maxLength, 500);
  assert.deepEqual(doc.paths['/api/admin/bans'].post.security, [{ adminToken: [] }]);
  assert.ok(
    doc.paths['/api/lobbies/{id}/chat'].get.parameters.some(
      (p: any) => p.name === 'limit' && p.in === 'query',
    ),
  );
  assert.equal(
    doc.paths['/api/admin/webhooks'].get.responses['401'].content['application/json'].schema.$ref,
    '#/components/schemas/ErrorBody',
  );
});

test('GET /docs: a self-contained page under the strict CSP', async () => {
  const response = await fetch(`${server.url}/docs`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  const html = await response.text();
  assert.ok(!/<script/i.test(html), 'no script');
  assert.ok(!/\sstyle=|<style/i.test(html), 'no inline style');
  assert.ok(!/(src|href)="(https?:)?\/\//i.test(html), 'nothing from another origin');
  for (const path of ['/api/admin/bans', '/api/lobbies/{id}/chat', '/metrics', '/api/admin/webhooks'])
    assert.ok(html.includes(`<code>${path}</code>`), `${path} on the page`);
  // Every in-page link has its anchor.
  for (const [, anchor] of html.matchAll(/href="#([^"]+)"/g))
    assert.ok(html.includes(`id="${anchor}"`), anchor);
  const css = await fetch(`${server.url}/docs/docs.css`);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /text\/css/);
});

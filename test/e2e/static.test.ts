/** Static serving of the built client (src/server/api/static.ts) on a bare Fastify instance. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerStatic } from '../../src/server/api/static.ts';

describe('registerStatic', () => {
  let root: string;
  let app: FastifyInstance;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'voicebot-static-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>client</title>');
    writeFileSync(join(root, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, '.secret'), 'no');
    app = Fastify();
    app.get('/api/system/health', async () => ({ status: 'ok' }));
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: { code: 'not_found', message: request.url } }),
    );
    await registerStatic(app, { root });
    await app.ready();
  });

  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (url: string) => app.inject({ method: 'GET', url });

  it('serves index.html at / and for page paths, no-cache, with a strict CSP', async () => {
    for (const url of ['/', '/index.html', '/lobby/abc-DEF_123', '/lobby/abc/', '/some/page']) {
      const response = await get(url);
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /<title>client<\/title>/, url);
      assert.equal(response.headers['cache-control'], 'no-cache', url);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self';/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('caches hashed assets for a year and other files for an hour', async () => {
    const asset = await get('/assets/index-AbC123.js');
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(asset.headers['content-type']), /javascript/);
    const icon = await get('/favicon.svg');
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['cache-control'], 'public, max-age=3600');
    assert.equal((await app.inject({ method: 'HEAD', url: '/' })).statusCode, 200);
  });

  it('leaves the API alone and 404s missing files, dotfiles and escapes from the root', async () => {
    assert.deepEqual((await get('/api/system/health')).json(), { status: 'ok' });
    for (const url of [
      '/api/nope',
      '/api',
      '/ws',
      '/ws/providers',
      '/metrics',
      '/assets/index-old.js',
      '/robots.txt',
      '/.secret',
      '/.git/config',
    ]) {
      const response = await get(url);
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /<title>client/, url);
    }
    // A file beside the root never comes out, however the path is spelled.
    const outside = `${root}-outside.txt`;
    writeFileSync(outside, 'TOP-SECRET');
    try {
      const name = outside.split('/').pop()!;
      const dir = root.split('/').pop()!;
      for (const url of [
        `/../${name}`,
        `/..%2f${name}`,
        `/%2e%2e/${name}`,
        `/assets/..%2f..%2f${name}`,
        `/assets/%2e%2e/../../${dir}-outside.txt`,
      ]) {
        const response = await get(url);
        assert.doesNotMatch(response.body, /TOP-SECRET/, url);
      }
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('registers nothing when the client was not built', async () => {
    const bare = Fastify();
    await registerStatic(bare, { root: join(root, 'missing') });
    await bare.ready();
    assert.equal((await bare.inject({ method: 'GET', url: '/' })).statusCode, 404);
    await bare.close();
  });
});

/**
 * Serves the built browser client (dist/web) at `/`: files as they are, `index.html` for every
 * other page path (`/lobby/<id>` …) so links into the single-page app work, and never for
 * `/api`, `/ws` or `/metrics`, which stay the API's (unknown ones fall to its 404).
 * Hashed assets are cached for a year; `index.html` is revalidated on every load. Every answer
 * carries a strict Content-Security-Policy: scripts and styles only from this origin, no inline
 * code, so user-supplied text can never run even if it were mistaken for markup.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const API_PREFIXES = ['/api', '/ws', '/metrics'];
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A host header reduced to the characters a host and port may have. */
function safeHost(host: string | undefined): string | null {
  if (!host || !/^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host)) return null;
  return host;
}

export function contentSecurityPolicy(host?: string): string {
  const h = safeHost(host);
  // 'self' covers same-origin WebSockets in current browsers; the explicit ws(s) origin is for older ones.
  const connect = h ? `'self' ws://${h} wss://${h}` : `'self'`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src ${connect}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('content-security-policy', contentSecurityPolicy(request.headers.host));
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('permissions-policy', 'microphone=(self), camera=(), geolocation=(), payment=()');
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

export async function registerStatic(app: FastifyInstance, opts: { root: string }): Promise<void> {
  const root = resolve(opts.root);
  if (!existsSync(join(root, 'index.html'))) return;

  // Only the reply.sendFile decorator; the routes are ours (so the SPA fallback and the API's
  // own not-found handler do not compete).
  await app.register(fastifyStatic, {
    root,
    serve: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
  });

  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(request, reply);
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html', root);
  };

  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    } catch {
      return reply.callNotFound();
    }
    // The API's paths, and hidden files (`.env`, `.git/…`) even if a build ever left one there.
    if (isApiPath(path) || path.split('/').some((segment) => segment.startsWith('.')))
      return reply.callNotFound();
    if (path === '/' || path === '/index.html') return sendIndex(request, reply);

    const file = normalize(join(root, path));
    if (file.startsWith(root + sep) && !path.includes('\0')) {
      let isFile = false;
      try {
        isFile = statSync(file).isFile();
      } catch {
        isFile = false;
      }
      if (isFile) {
        securityHeaders(request, reply);
        reply.header('cache-control', path.startsWith('/assets/') ? IMMUTABLE : 'public, max-age=3600');
        return reply.sendFile(file.slice(root.length + 1), root);
      }
    }
    // A missing file (an old asset hash, a typo) is a 404, not the page.
    if (path.startsWith('/assets/') || extname(path) !== '') return reply.callNotFound();
    return sendIndex(request, reply);
  };

  app.route({ method: ['GET', 'HEAD'], url: '/', handler });
  app.route({ method: ['GET', 'HEAD'], url: '/*', handler });
}

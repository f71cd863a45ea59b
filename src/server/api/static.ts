/** Serves the built browser client (placeholder until the web client lands its own version). */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export async function registerStatic(app: FastifyInstance, opts: { root: string }): Promise<void> {
  if (!existsSync(opts.root)) return;
  await app.register(fastifyStatic, { root: resolve(opts.root), wildcard: false });
}

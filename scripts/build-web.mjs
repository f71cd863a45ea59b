#!/usr/bin/env node
// Builds the browser client (web/) into dist/web with Vite.
// Usage: node scripts/build-web.mjs [--if-stale]
//   --if-stale: do nothing when dist/web is newer than every file in web/ and src/protocol/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist', 'web');
const inputs = [join(root, 'web'), join(root, 'src', 'protocol'), fileURLToPath(import.meta.url)];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function isStale() {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return inputs.some((input) => existsSync(input) && newestMtime(input) > built);
}

if (process.argv.includes('--if-stale') && !isStale()) {
  console.log('web client is up to date (dist/web)');
  process.exit(0);
}

const started = Date.now();
// Type-check the client first (fast with the native compiler); a type error fails the build.
const tsc = join(root, 'node_modules', '.bin', 'tsc');
if (existsSync(tsc)) {
  const checked = spawnSync(tsc, ['--noEmit', '-p', join(root, 'web', 'tsconfig.json')], {
    stdio: 'inherit',
  });
  if (checked.status !== 0) {
    console.error('web client: type check failed');
    process.exit(1);
  }
}
const { build } = await import('vite');
await build({ configFile: join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
console.log(`built web client into dist/web in ${Date.now() - started} ms`);

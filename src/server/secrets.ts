/**
 * Secrets the server makes itself when not configured: the admin token and the bot provider key,
 * kept in DATA_DIR (mode 0600) and printed once, on the start that made them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { randomId } from './core/ids.ts';

function loadOrCreate(dataDir: string, file: string, label: string): string {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomId(32);
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  // Printed to the terminal once, never to the log stream.
  process.stderr.write(`\n  ${label} (made on first start, kept in ${path}):\n  ${secret}\n\n`);
  return secret;
}

export function ensureSecrets(config: Config, _log: Logger): Config {
  return {
    ...config,
    ADMIN_TOKEN: config.ADMIN_TOKEN ?? loadOrCreate(config.DATA_DIR, 'admin-token', 'Admin token'),
    BOT_PROVIDER_KEY:
      config.BOT_PROVIDER_KEY ?? loadOrCreate(config.DATA_DIR, 'bot-provider-key', 'Bot provider key'),
  };
}

#!/usr/bin/env node
/**
 * The bot provider process: `npm run provider -- --server URL --key K [--name N] [--bots module,...] [--inline]`.
 * The key may come from BOT_PROVIDER_KEY instead of argv (argv shows in `ps`). Stage plugins
 * come from the environment (TTS_URL, STT_URL, LLM_URL, ...: see src/bots/plugins/index.ts).
 * Exit codes: 0 stopped by a signal, 2 bad usage, 3 key refused by the server (4001).
 */
import { parseArgs } from 'node:util';
import { BotProvider } from './provider.ts';
import { botCatalog } from './registry.ts';

const HELP = `Usage: npm run provider -- --server URL [--key KEY] [--name NAME] [--bots MODULE,...] [--inline]
  --server   base URL of the voice server (http://host:port)
  --key      provider key (or env BOT_PROVIDER_KEY)
  --name     provider name shown in GET /api/bots (default: builtin, or env BOT_PROVIDER_NAME)
  --bots     extra bot modules to offer next to the built-in echo, announcer, transcriber, assistant
  --inline   run bots inside this process instead of one child process per bot
`;

let args;
try {
  args = parseArgs({
    options: {
      server: { type: 'string' },
      key: { type: 'string' },
      name: { type: 'string' },
      bots: { type: 'string' },
      inline: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${HELP}`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const server = args.server ?? process.env.BOT_SERVER_URL;
const key = args.key ?? process.env.BOT_PROVIDER_KEY;
if (!server || !key) {
  process.stderr.write(`--server and --key (or BOT_PROVIDER_KEY) are required\n${HELP}`);
  process.exit(2);
}

const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);
const modules = (args.bots ?? process.env.BOT_MODULES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const catalog = await botCatalog(modules);
const provider = new BotProvider({
  serverUrl: server,
  key,
  name: args.name ?? process.env.BOT_PROVIDER_NAME ?? 'builtin',
  bots: [...catalog.values()],
  modules,
  isolation: args.inline ? 'inline' : 'process',
  log,
});

// a bot must never take the provider down; anything that still escapes is logged, not fatal
process.on('uncaughtException', (error) => log(`[provider] uncaught: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (error) =>
  log(`[provider] unhandled rejection: ${(error as Error)?.stack ?? error}`),
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log(`[provider] ${signal}: stopping bots`);
    void provider.stop().then(() => process.exit(0));
  });
}

log(`[provider] offering ${[...catalog.keys()].join(', ')} to ${new URL(server).origin}`);
provider.start().catch((error: Error) => log(`[provider] ${error.message}`));
const end = await provider.closed;
process.exit(end.reason === 'unauthorized' ? 3 : 0);

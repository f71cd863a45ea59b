#!/usr/bin/env node
/** Entry point: `npm start [-- --help]`. Loads config, starts the server, stops cleanly on SIGTERM/SIGINT. */
import 'dotenv/config';
import type { AddressInfo } from 'node:net';
import { createApp, VERSION } from './app.ts';
import { ConfigError, helpText, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { startBuiltinProvider } from './builtin-provider.ts';
import { ensureSecrets } from './secrets.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(helpText());
  process.exit(0);
}
if (process.argv.includes('--version')) {
  process.stdout.write(`${VERSION}\n`);
  process.exit(0);
}

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\nRun with --help to see every setting.\n`);
  process.exit(2);
}

const log = createLogger(config.LOG_LEVEL);
config = ensureSecrets(config, log);
const app = await createApp(config, log);
const address = await app.listen();
log.info({ address, version: VERSION, data_dir: config.DATA_DIR }, 'AI Voice Bot server started');
// The built-in provider reaches the server over loopback, whatever HOST is.
const { port } = app.http.server.address() as AddressInfo;
const provider =
  config.BOTS === 'on'
    ? startBuiltinProvider(`http://127.0.0.1:${port}`, config.BOT_PROVIDER_KEY!, log)
    : null;

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    Promise.all([provider?.stop(), app.close()]).then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  });
}

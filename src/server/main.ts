#!/usr/bin/env node
/** Entry point: `npm start [-- --help]`. Loads config, starts the server, stops cleanly on SIGTERM/SIGINT. */
import 'dotenv/config';
import { createApp, VERSION } from './app.ts';
import { ConfigError, helpText, loadConfig, type Config } from './config.ts';
import { createLogger } from './log.ts';
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

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    app.close().then(
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

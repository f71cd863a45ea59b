/**
 * The child process that runs one bot instance, so a bot that crashes (an exception, a WASM
 * abort, a runaway loop) takes down only itself. The provider sends the spawn over IPC
 * (never argv: the token is a secret) and hears back `joined`, `failed` or `ended`.
 */
import { botCatalog } from './registry.ts';
import { runBot, type BotRuntime } from './runtime.ts';
import { ServerError } from './signaling.ts';

export interface HostStart {
  type: 'start';
  bot: string;
  serverUrl: string;
  token: string;
  lobbyId: string;
  name: string;
  modules: string[];
}
export type HostMessage =
  | { type: 'joined'; session_id: string; name: string }
  | { type: 'failed'; code: string; message: string }
  | { type: 'ended'; reason: string; error?: string }
  | { type: 'log'; message: string };

const send = (m: HostMessage) => process.send?.(m);
let runtime: BotRuntime | undefined;

process.on('uncaughtException', (error) => {
  send({ type: 'ended', reason: 'crashed', error: error.stack ?? error.message });
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  send({ type: 'ended', reason: 'crashed', error: (error as Error)?.stack ?? String(error) });
  process.exit(1);
});
// the provider went away: leave the lobby and go
process.on('disconnect', () => {
  void (runtime?.stop('provider gone') ?? Promise.resolve()).finally(() => process.exit(0));
});

process.on('message', async (message: HostStart | { type: 'stop'; reason?: string }) => {
  if (message.type === 'stop') {
    await runtime?.stop(message.reason ?? 'despawned');
    process.exit(0);
  }
  if (message.type !== 'start') return;
  const catalog = await botCatalog(message.modules);
  const def = catalog.get(message.bot);
  if (!def) {
    send({ type: 'failed', code: 'unknown_bot', message: `no bot named ${message.bot}` });
    process.exit(0);
  }
  try {
    runtime = await runBot(def, {
      serverUrl: message.serverUrl,
      token: message.token,
      lobbyId: message.lobbyId,
      name: message.name,
      log: (m) => send({ type: 'log', message: m }),
    });
  } catch (error) {
    const code = error instanceof ServerError ? error.code : 'spawn_failed';
    send({ type: 'failed', code, message: (error as Error).message });
    process.exit(0);
  }
  send({ type: 'joined', session_id: runtime.sessionId, name: runtime.name });
  const end = await runtime.done;
  send({ type: 'ended', reason: end.reason, error: end.error?.stack ?? end.error?.message });
  process.exit(end.reason === 'crashed' ? 1 : 0);
});

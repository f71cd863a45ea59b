/**
 * A bot provider (PROTOCOL.md section 3): connects to `/ws/providers?key=…`, registers its bots,
 * runs one instance per `spawn` (each in its own child process by default, so one crashing bot
 * never takes the provider down) and stops it on `despawn`. Reconnects with backoff when the
 * server goes away; a refused key (4001) is final.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  ProviderServerData,
  type ProviderDataOf,
  type ProviderServerDataOf,
  type ProviderType,
} from '../protocol/provider.ts';
import type { HostMessage, HostStart } from './bot-host.ts';
import { runBot } from './runtime.ts';
import type { BotDefinition } from './sdk.ts';
import { ServerError, SignalingClient, wsUrl } from './signaling.ts';

export interface ProviderOptions {
  serverUrl: string;
  key: string;
  /** Provider name shown in `GET /api/bots`. */
  name?: string;
  bots: BotDefinition[];
  /** Modules with extra bots (loaded again inside each bot process). */
  modules?: string[];
  /** 'process' (default): a child process per bot; 'inline': in this process (tests, debugging). */
  isolation?: 'process' | 'inline';
  log?(message: string): void;
  spawnTimeoutMs?: number;
}

export interface Instance {
  sessionId: string;
  bot: string;
  lobbyId: string;
  name: string;
  startedAt: number;
  stop(reason: string): Promise<void>;
  /** Resolves with why it ended. */
  ended: Promise<{ reason: string; error?: string }>;
}

type Envelope = { type: string; id?: string; data?: unknown };

export class BotProvider {
  readonly instances = new Map<string, Instance>();
  #opts: Required<Omit<ProviderOptions, 'log'>> & { log(message: string): void };
  #ws: WebSocket | undefined;
  #stopped = false;
  #backoff = 500;
  #registered: { resolve(): void; reject(e: Error): void } | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  /** Resolves when the provider stops for good (stop(), or a refused key). */
  readonly closed: Promise<{ reason: string }>;
  #resolveClosed!: (r: { reason: string }) => void;
  registrations = 0;

  constructor(opts: ProviderOptions) {
    this.#opts = {
      name: 'builtin',
      modules: [],
      isolation: 'process',
      spawnTimeoutMs: 15_000, // under the server's 20 s, so a slow start is reported as spawn_failed first
      log: (m) => console.log(m),
      ...opts,
    };
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  log(message: string): void {
    this.#opts.log(`[provider ${this.#opts.name}] ${message}`);
  }

  /** Connect and register; resolves once the server has answered `registered`. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#registered = { resolve, reject };
      this.#connect();
    });
  }

  #connect(): void {
    if (this.#stopped) return;
    // the key is in the URL: never log the URL
    const ws = new WebSocket(
      wsUrl(this.#opts.serverUrl, `/ws/providers?key=${encodeURIComponent(this.#opts.key)}`),
    );
    this.#ws = ws;
    ws.on('open', () => {
      this.#send('register', {
        provider: this.#opts.name,
        bots: this.#opts.bots.map((b) => ({
          name: b.name,
          description: b.description,
          capabilities: b.capabilities,
        })),
      });
    });
    ws.on('message', (raw) => {
      let frame: Envelope;
      try {
        frame = JSON.parse(raw.toString()) as Envelope;
      } catch {
        return this.log('ignored a frame that is not JSON');
      }
      this.#onFrame(frame);
    });
    ws.on('error', (error) => this.log(`socket error: ${error.message}`));
    ws.on('close', (code, reason) => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      // the server forgets our bots when we go: stop them so none lingers half-alive
      for (const instance of this.instances.values()) void instance.stop('provider disconnected');
      if (code === 4001) {
        this.log('the server refused the provider key (4001); not retrying');
        this.#registered?.reject(new ServerError('unauthorized', 'provider key refused (4001)'));
        this.#registered = undefined;
        this.#stopped = true;
        this.#resolveClosed({ reason: 'unauthorized' });
        return;
      }
      if (this.#stopped) return;
      const delay = this.#backoff;
      this.#backoff = Math.min(this.#backoff * 2, 10_000);
      this.log(
        `disconnected (${code}${reason.length ? ` ${reason.toString()}` : ''}); reconnecting in ${delay} ms`,
      );
      this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    });
  }

  #send<T extends ProviderType>(type: T, data: ProviderDataOf<T>): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ type, data }));
  }

  #onFrame(frame: Envelope): void {
    const schema = ProviderServerData[frame.type as keyof typeof ProviderServerData];
    if (!schema) return this.log(`ignored an unknown frame type ${JSON.stringify(frame.type).slice(0, 40)}`);
    const parsed = schema.safeParse(frame.data);
    if (!parsed.success) return this.log(`ignored an invalid ${frame.type} frame`);
    switch (frame.type) {
      case 'registered': {
        const data = parsed.data as ProviderServerDataOf<'registered'>;
        this.#backoff = 500;
        this.registrations++;
        this.log(`registered ${data.bots.join(', ')}`);
        this.#registered?.resolve();
        this.#registered = undefined;
        return;
      }
      case 'spawn':
        void this.#spawn(parsed.data as ProviderServerDataOf<'spawn'>);
        return;
      case 'despawn': {
        const { session_id } = parsed.data as ProviderServerDataOf<'despawn'>;
        const instance = this.instances.get(session_id);
        if (instance) void instance.stop('despawned');
        else this.log(`despawn for unknown session ${session_id}`);
        return;
      }
      case 'error': {
        const data = parsed.data as ProviderServerDataOf<'error'>;
        this.log(`server error ${data.code}: ${data.message}`);
        if (this.#registered && this.registrations === 0) {
          this.#registered.reject(new ServerError(data.code, data.message));
          this.#registered = undefined;
        }
        return;
      }
      default:
        return;
    }
  }

  async #spawn(req: ProviderServerDataOf<'spawn'>): Promise<void> {
    const def = this.#opts.bots.find((b) => b.name === req.bot);
    if (!def) {
      this.#send('spawn_failed', {
        request_id: req.request_id,
        code: 'unknown_bot',
        message: `this provider has no bot named ${req.bot}`.slice(0, 500),
      });
      return;
    }
    try {
      const instance = await this.launch(def, req);
      this.#send('spawned', { request_id: req.request_id, session_id: instance.sessionId });
    } catch (error) {
      const code = error instanceof ServerError ? error.code : 'spawn_failed';
      this.log(`spawn of ${def.name} into lobby ${req.lobby_id} failed: ${code}`);
      this.#send('spawn_failed', {
        request_id: req.request_id,
        code: code.slice(0, 64),
        message: (error as Error).message.slice(0, 500),
      });
    }
  }

  /**
   * Start one bot instance for a spawn (child process or inline), track it, and clean up after
   * it when it ends; resolves once it is in the lobby.
   */
  async launch(def: BotDefinition, req: ProviderServerDataOf<'spawn'>): Promise<Instance> {
    const spawnAt = Date.now();
    const instance =
      this.#opts.isolation === 'inline' ? await this.#inline(def, req) : await this.#child(def, req);
    this.instances.set(instance.sessionId, instance);
    this.log(
      `spawned ${def.name} as ${instance.name} (${instance.sessionId}) in lobby ${req.lobby_id} in ${Date.now() - spawnAt} ms`,
    );
    void instance.ended.then(async (end) => {
      this.instances.delete(instance.sessionId);
      // The server drops the bot's session (and so its lobby seat) at once.
      this.#send('bot_ended', { session_id: instance.sessionId, reason: end.reason.slice(0, 200) });
      if (end.reason === 'crashed') {
        this.log(
          `bot ${def.name} (${instance.sessionId}) in lobby ${req.lobby_id} CRASHED and was removed: ${(end.error ?? 'no detail').split('\n').slice(0, 3).join(' | ')}`,
        );
        await this.#cleanup(req);
      } else {
        this.log(`bot ${def.name} (${instance.sessionId}) ended: ${end.reason}`);
      }
    });
    return instance;
  }

  /** After a crash, make sure the bot's session is out of the lobby (its process may have died mid-call). */
  async #cleanup(req: ProviderServerDataOf<'spawn'>): Promise<void> {
    try {
      const signal = await SignalingClient.connect({
        serverUrl: this.#opts.serverUrl,
        token: req.token,
        timeoutMs: 5000,
      });
      await signal.request('leave_lobby', { lobby_id: req.lobby_id }).catch(() => undefined);
      await signal.close();
    } catch {
      /* the session is gone already */
    }
  }

  async #inline(def: BotDefinition, req: ProviderServerDataOf<'spawn'>): Promise<Instance> {
    const rt = await runBot(def, {
      serverUrl: this.#opts.serverUrl,
      token: req.token,
      lobbyId: req.lobby_id,
      name: req.name,
      log: (m) => this.#opts.log(m),
    });
    return {
      sessionId: rt.sessionId,
      bot: def.name,
      lobbyId: req.lobby_id,
      name: rt.name,
      startedAt: Date.now(),
      stop: async (reason) => void (await rt.stop(reason)),
      ended: rt.done.then((r) => ({ reason: r.reason, error: r.error?.stack ?? r.error?.message })),
    };
  }

  #child(def: BotDefinition, req: ProviderServerDataOf<'spawn'>): Promise<Instance> {
    const self = import.meta.url;
    const hostUrl = new URL(self.endsWith('.ts') ? './bot-host.ts' : './bot-host.js', self);
    const child: ChildProcess = fork(fileURLToPath(hostUrl), [], {
      execArgv: self.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // whatever the bot process prints (a fatal error's native stack, say) goes to our log
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines)
          if (line.trim()) this.#opts.log(`[bot ${def.name} process ${child.pid}] ${line}`);
      });
    }
    // a send to a process that just died must not throw into the provider
    child.on('error', (error) => this.log(`bot process error: ${error.message}`));
    let resolveEnded!: (r: { reason: string; error?: string }) => void;
    const ended = new Promise<{ reason: string; error?: string }>((r) => (resolveEnded = r));
    let endReport: { reason: string; error?: string } | undefined;
    child.on('exit', (code, signal) => {
      resolveEnded(
        endReport ??
          (code === 0
            ? { reason: 'exited' }
            : { reason: 'crashed', error: `bot process exited with ${signal ?? code}` }),
      );
    });
    return new Promise<Instance>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new ServerError('provider_unavailable', 'the bot did not join in time'));
      }, this.#opts.spawnTimeoutMs);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new ServerError('spawn_failed', `bot process exited with ${code} before joining`));
      });
      child.on('message', (m: HostMessage) => {
        switch (m.type) {
          case 'log':
            this.#opts.log(m.message);
            return;
          case 'failed':
            clearTimeout(timer);
            reject(new ServerError(m.code, m.message));
            return;
          case 'ended':
            endReport = { reason: m.reason, error: m.error };
            return;
          case 'joined':
            clearTimeout(timer);
            resolve({
              sessionId: m.session_id,
              bot: def.name,
              lobbyId: req.lobby_id,
              name: m.name,
              startedAt: Date.now(),
              ended,
              stop: async (reason) => {
                if (child.exitCode !== null || child.signalCode !== null) return;
                child.send({ type: 'stop', reason }, (error) => error && child.kill('SIGKILL'));
                const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
                await ended;
                clearTimeout(killer);
              },
            });
            return;
        }
      });
      const start: HostStart = {
        type: 'start',
        bot: def.name,
        serverUrl: this.#opts.serverUrl,
        token: req.token,
        lobbyId: req.lobby_id,
        name: req.name,
        modules: this.#opts.modules,
      };
      child.send(start, (error) => error && this.log(`could not start the bot process: ${error.message}`));
    });
  }

  /** Stop every bot and disconnect for good. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    await Promise.all([...this.instances.values()].map((i) => i.stop('provider stopping')));
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'bye');
        setTimeout(resolve, 2000);
      });
    } else ws?.terminate();
    this.#resolveClosed({ reason: 'stopped' });
  }
}

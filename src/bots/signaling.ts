/**
 * The bot's side of `/ws` (PROTOCOL.md section 2): connect with the session token, wait for
 * `welcome`, send frames (request/reply matched by `id`), validate every incoming frame
 * against the shared zod schemas. Knows nothing about media.
 */
import WebSocket from 'ws';
import {
  ServerData,
  type ClientDataOf,
  type ClientType,
  type ServerFrame,
  type ServerDataOf,
} from '../protocol/ws.ts';

export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/** `http://h:p` (or `ws://h:p`) plus a path → `ws://h:p/path`. */
export function wsUrl(serverUrl: string, path: string): string {
  const url = new URL(serverUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  const base = url.pathname.replace(/\/+$/, '');
  const [p, q] = path.split('?');
  url.pathname = base + p;
  url.search = q ? `?${q}` : '';
  return url.toString();
}

export interface SignalingOptions {
  serverUrl: string;
  token: string;
  log?(message: string): void;
  /** Timeout for `welcome` and for each request. */
  timeoutMs?: number;
}

type Pending = { resolve(frame: ServerFrame): void; reject(error: Error): void; timer: NodeJS.Timeout };

export class SignalingClient {
  welcome!: ServerDataOf<'welcome'>;
  #ws!: WebSocket;
  #opts: SignalingOptions;
  #nextId = 1;
  #pending = new Map<string, Pending>();
  #handlers = new Set<(frame: ServerFrame) => void>();
  #closeHandlers = new Set<(code: number, reason: string) => void>();
  #closed = false;

  private constructor(opts: SignalingOptions) {
    this.#opts = opts;
  }

  static async connect(opts: SignalingOptions): Promise<SignalingClient> {
    const client = new SignalingClient(opts);
    await client.#open();
    return client;
  }

  get open(): boolean {
    return !this.#closed && this.#ws.readyState === WebSocket.OPEN;
  }

  #open(): Promise<void> {
    const timeout = this.#opts.timeoutMs ?? 10_000;
    // the token is in the URL: never log the URL
    const ws = new WebSocket(
      wsUrl(this.#opts.serverUrl, `/ws?token=${encodeURIComponent(this.#opts.token)}`),
    );
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new ServerError('timeout', 'no welcome from the server'));
        ws.terminate();
      }, timeout);
      ws.on('message', (raw) => {
        let frame: ServerFrame;
        try {
          frame = JSON.parse(raw.toString()) as ServerFrame;
        } catch {
          this.#opts.log?.('ignored a frame that is not JSON');
          return;
        }
        const schema = ServerData[frame.type as keyof typeof ServerData];
        if (schema) {
          const parsed = schema.safeParse(frame.data);
          if (!parsed.success) {
            this.#opts.log?.(`ignored an invalid ${frame.type} frame`);
            return;
          }
          (frame as { data: unknown }).data = parsed.data;
        }
        if (frame.type === 'welcome') {
          this.welcome = frame.data;
          clearTimeout(timer);
          resolve();
        }
        this.#dispatch(frame);
      });
      ws.on('close', (code, reason) => {
        clearTimeout(timer);
        const wasClosed = this.#closed;
        this.#closed = true;
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer);
          p.reject(new ServerError('disconnected', `socket closed (${code})`));
        }
        this.#pending.clear();
        reject(new ServerError(code === 4001 ? 'unauthorized' : 'disconnected', `socket closed (${code})`));
        if (!wasClosed) for (const h of this.#closeHandlers) h(code, reason.toString());
      });
      ws.on('error', (error) => this.#opts.log?.(`socket error: ${error.message}`));
    });
  }

  #dispatch(frame: ServerFrame): void {
    if (frame.id && this.#pending.has(frame.id)) {
      const p = this.#pending.get(frame.id)!;
      this.#pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.type === 'error') p.reject(new ServerError(frame.data.code, frame.data.message));
      else p.resolve(frame);
      return;
    }
    for (const h of this.#handlers) h(frame);
  }

  on(handler: (frame: ServerFrame) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  onClose(handler: (code: number, reason: string) => void): void {
    this.#closeHandlers.add(handler);
  }

  /** Fire and forget. */
  send<T extends ClientType>(type: T, data: ClientDataOf<T>): void {
    if (!this.open) return;
    this.#ws.send(JSON.stringify({ type, data }));
  }

  /** Send and wait for the reply carrying the same id (an `error` reply rejects). */
  request<T extends ClientType>(type: T, data: ClientDataOf<T>): Promise<ServerFrame> {
    if (!this.open) return Promise.reject(new ServerError('disconnected', 'socket is closed'));
    const id = `b${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ServerError('timeout', `no reply to ${type}`));
      }, this.#opts.timeoutMs ?? 10_000);
      this.#pending.set(id, { resolve, reject, timer });
      this.#ws.send(JSON.stringify({ type, id, data }));
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, 2000);
      this.#ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#ws.close(1000, 'bye');
    });
  }
}

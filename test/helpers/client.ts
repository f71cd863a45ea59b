/** A protocol client for tests: HTTP helpers and a WebSocket that records every frame it receives. */
import WebSocket from 'ws';

export interface Frame {
  type: string;
  id?: string;
  data: any;
}

export async function api(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed };
}

export async function newSession(base: string): Promise<{ id: string; token: string }> {
  const { status, body } = await api(base, 'POST', '/api/sessions');
  if (status !== 201) throw new Error(`session create failed: ${status} ${JSON.stringify(body)}`);
  return { id: body.session.id, token: body.token };
}

export class TestClient {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  private waiters: { match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.match(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const resolve of this.closeWaiters) resolve(code);
    });
    socket.on('error', () => {});
  }

  static async connect(wsBase: string, token: string, path = '/ws'): Promise<TestClient> {
    const param = path === '/ws/providers' ? 'key' : 'token';
    const socket = new WebSocket(`${wsBase}${path}?${param}=${encodeURIComponent(token)}`);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Session, name and lobby in one go. */
  static async joined(
    server: { url: string; wsUrl: string },
    name: string,
    lobbyId: string,
  ): Promise<TestClient & { sessionId: string; token: string }> {
    const session = await newSession(server.url);
    const client = await TestClient.connect(server.wsUrl, session.token);
    await client.waitFor('welcome');
    await client.request('set_name', { name }, 'name_set');
    await client.request('join_lobby', { lobby_id: lobbyId }, 'lobby_joined');
    return Object.assign(client, { sessionId: session.id, token: session.token });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Send `type` with a fresh id and wait for the reply carrying that id (or an error). */
  async request(type: string, data?: unknown, expect?: string): Promise<Frame> {
    const id = `r${this.nextId++}`;
    const reply = this.waitFor((frame) => frame.id === id);
    this.send(data === undefined ? { type, id } : { type, id, data });
    const frame = await reply;
    if (expect && frame.type !== expect) throw new Error(`expected ${expect}, got ${JSON.stringify(frame)}`);
    return frame;
  }

  /** Resolves with the first frame (already received or future) that matches. */
  waitFor(match: string | ((frame: Frame) => boolean), timeoutMs = 5000): Promise<Frame> {
    const test = typeof match === 'string' ? (frame: Frame) => frame.type === match : match;
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out waiting for ${typeof match === 'string' ? match : 'frame'}; got ${JSON.stringify(this.frames.slice(-5))}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        match: test,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  /** Like waitFor, but only frames received after this call. */
  next(match: string | ((frame: Frame) => boolean), timeoutMs = 5000): Promise<Frame> {
    const test = typeof match === 'string' ? (frame: Frame) => frame.type === match : match;
    const from = this.frames.length;
    return this.waitFor((frame) => this.frames.indexOf(frame) >= from && test(frame), timeoutMs);
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  waitClose(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

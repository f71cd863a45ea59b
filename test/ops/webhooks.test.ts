/**
 * Webhook delivery through an outage, with a real local receiver: it answers 500, then hangs,
 * then its port is closed, then it comes back (slowly) and the server is SIGKILLed in the middle
 * of delivering the backlog. After a restart, every event of the log has reached the receiver in
 * seq order at least once, every body is correctly signed, and at most one request was ever in
 * flight at a time.
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { WebhookList } from '../../src/protocol/admin.ts';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { displayUrl, signWebhook } from '../../src/server/events/webhooks.ts';
import { api } from '../helpers/client.ts';
import { freePort, startServer, tempDataDir } from '../helpers/server.ts';
import { parsePrometheus } from './prom-text.ts';

const SECRET = 'webhook-test-secret';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Delivered {
  seq: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

type Mode = 'fail' | 'hang' | 'ok';

class Receiver {
  mode: Mode = 'fail';
  delayMs = 0;
  attempts = 0;
  inFlight = 0;
  maxInFlight = 0;
  badSignatures = 0;
  readonly batches: Delivered[][] = [];
  private server: Server | null = null;
  private hanging: ServerResponse[] = [];

  constructor(readonly port: number) {}

  async open(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const response of this.hanging.splice(0)) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  get seqs(): number[] {
    return this.batches.flat().map((event) => event.seq);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.attempts++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    response.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    if (this.mode === 'hang') {
      this.hanging.push(response);
      return;
    }
    if (this.mode === 'fail') {
      response.writeHead(500).end('receiver broken');
      return;
    }
    if (!verify(String(request.headers['x-webhook-signature'] ?? ''), body)) this.badSignatures++;
    else this.batches.push((JSON.parse(body) as { events: Delivered[] }).events);
    if (this.delayMs) await sleep(this.delayMs);
    response.writeHead(204).end();
  }
}

function verify(header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const t = Number(match[1]);
  if (Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', SECRET).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

async function makeEvents(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) assert.equal((await api(url, 'POST', '/api/sessions')).status, 201);
}

async function allEvents(url: string, token: string): Promise<Delivered[]> {
  const events: Delivered[] = [];
  for (let after = 0; ;) {
    const page = await api(url, 'GET', `/api/admin/events?after=${after}&limit=1000`, { token });
    assert.equal(page.status, 200);
    events.push(...page.body.events);
    if (page.body.events.length < 1000) return events;
    after = page.body.next_after;
  }
}

test('webhooks survive 500s, a hanging receiver, a closed port and a SIGKILL mid-delivery', async () => {
  const receiver = new Receiver(await freePort());
  await receiver.open();
  const dataDir = tempDataDir();
  const env = {
    WEBHOOK_URLS: `http://127.0.0.1:${receiver.port}/hook?api_key=query-secret`,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_BATCH: '4',
    WEBHOOK_TIMEOUT_MS: '300',
    WEBHOOK_MIN_BACKOFF_MS: '20',
    WEBHOOK_MAX_BACKOFF_MS: '200',
  };
  let server = await startServer({ dataDir, env });
  try {
    // 1. The receiver answers 500: attempts repeat, nothing is acknowledged.
    await makeEvents(server.url, 6);
    await until('three failed attempts', () => receiver.attempts >= 3);
    let status = await api(server.url, 'GET', '/api/admin/webhooks', { token: server.adminToken });
    assert.equal(status.status, 200);
    assert.equal(status.body.webhooks.length, 1);
    WebhookList.strict().parse(status.body);
    const hook = status.body.webhooks[0];
    assert.equal(hook.cursor, 0);
    assert.equal(hook.lag, 6);
    assert.equal(hook.last_error, 'HTTP 500');
    assert.ok(!JSON.stringify(status.body).includes('query-secret'), 'the URL is shown without its secrets');
    assert.equal((await api(server.url, 'GET', '/api/admin/webhooks')).status, 401);
    const metrics = parsePrometheus(
      await (
        await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } })
      ).text(),
    );
    assert.equal(metrics.value('voicebot_webhook_lag_events'), 6);
    assert.ok(metrics.value('voicebot_webhook_failed_attempts_total') >= 3);

    // 2. The receiver hangs: requests time out one at a time; the server stays fast.
    receiver.mode = 'hang';
    const attemptsBefore = receiver.attempts;
    await until('two hanging attempts', () => receiver.attempts >= attemptsBefore + 2);
    const started = performance.now();
    await makeEvents(server.url, 4);
    assert.ok(performance.now() - started < 1000, 'the API is not slowed by a hanging receiver');
    status = await api(server.url, 'GET', '/api/admin/webhooks', { token: server.adminToken });
    assert.match(status.body.webhooks[0].last_error, /timeout/);

    // 3. The receiver's port is closed.
    await receiver.close();
    await makeEvents(server.url, 6);
    await until('a refused connection', async () => {
      const now = await api(server.url, 'GET', '/api/admin/webhooks', { token: server.adminToken });
      return /connection failed/.test(now.body.webhooks[0].last_error ?? '');
    });
    await makeEvents(server.url, 14);

    // 4. It comes back, slowly; the server is killed in the middle of the backlog.
    receiver.mode = 'ok';
    receiver.delayMs = 150;
    await receiver.open();
    await until('two batches delivered', () => receiver.batches.length >= 2);
    await server.kill();
    const deliveredBeforeKill = receiver.seqs.length;
    assert.ok(deliveredBeforeKill < 30, 'the kill happened before the backlog was through');

    // 5. After a restart delivery resumes from the durable cursor; new events follow.
    receiver.delayMs = 0;
    server = await startServer({ dataDir, env, port: server.port });
    await makeEvents(server.url, 5);
    const log = await allEvents(server.url, server.adminToken);
    const last = log.at(-1)!.seq;
    assert.ok(last >= 35);
    await until('every event delivered', () => new Set(receiver.seqs).size === log.length);

    // Every event of the log, in seq order of first receipt, nothing else; each batch in order.
    const firstSeen: number[] = [];
    const seen = new Set<number>();
    for (const seq of receiver.seqs) if (!seen.has(seq) && seen.add(seq)) firstSeen.push(seq);
    assert.deepEqual(
      firstSeen,
      log.map((event) => event.seq),
    );
    assert.deepEqual(
      firstSeen,
      Array.from({ length: last }, (_, i) => i + 1),
    );
    for (const batch of receiver.batches) {
      assert.ok(batch.length >= 1 && batch.length <= 4);
      batch.forEach((event, i) => i && assert.equal(event.seq, batch[i - 1]!.seq + 1));
    }
    const bySeq = new Map(log.map((event) => [event.seq, event]));
    for (const event of receiver.batches.flat()) {
      assert.deepEqual(event, bySeq.get(event.seq), 'a delivered event equals the logged one');
      assert.match(event.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const duplicates = receiver.seqs.length - seen.size;
    assert.ok(
      duplicates <= 4,
      `resumed from the durable cursor: ${duplicates} redelivered, at most the batch in flight`,
    );
    assert.equal(receiver.badSignatures, 0);
    assert.equal(receiver.maxInFlight, 1, 'never more than one request in flight');
    await until('cursor at the end', async () => {
      const now = await api(server.url, 'GET', '/api/admin/webhooks', { token: server.adminToken });
      return now.body.webhooks[0].cursor === last && now.body.webhooks[0].lag === 0;
    });
    assert.ok(
      !server.logs().includes('query-secret') && !server.logs().includes(SECRET),
      'no secret in the logs',
    );
  } finally {
    await server.stop();
    await receiver.close();
  }
});

test('signature is HMAC-SHA256 over "<t>.<body>"; shown URLs hide credentials and query values', () => {
  const body = '{"events":[]}';
  const expected = createHmac('sha256', 'k').update(`1700000000.${body}`).digest('hex');
  assert.equal(signWebhook('k', 1700000000, body), `t=1700000000,v1=${expected}`);
  assert.notEqual(signWebhook('k', 1700000001, body), signWebhook('k', 1700000000, body));
  assert.equal(
    displayUrl('https://user:pass@hooks.example.org/in?token=abc&x=1'),
    'https://***@hooks.example.org/in?token=***&x=***',
  );
  assert.equal(displayUrl('http://127.0.0.1:9000/hook'), 'http://127.0.0.1:9000/hook');
  assert.equal(displayUrl('not a url'), '[invalid url]');
});

test('webhook configuration is checked at start', () => {
  assert.throws(() => loadConfig({ WEBHOOK_URLS: 'http://127.0.0.1:9/hook' }), ConfigError);
  assert.throws(
    () => loadConfig({ WEBHOOK_URLS: 'ftp://example.org/x', WEBHOOK_SECRET: 's' }),
    /not an http\(s\) URL/,
  );
  assert.throws(
    () => loadConfig({ WEBHOOK_URLS: 'http://a/x', WEBHOOK_SECRET: 's', WEBHOOK_BATCH: '0' }),
    ConfigError,
  );
  const config = loadConfig({ WEBHOOK_URLS: 'http://a/x, https://b/y', WEBHOOK_SECRET: 's' });
  assert.deepEqual(config.WEBHOOK_URLS, ['http://a/x', 'https://b/y']);
  assert.equal(config.WEBHOOK_MAX_BACKOFF_MS, 60_000);
  assert.equal(loadConfig({}).WEBHOOK_URLS.length, 0);
});

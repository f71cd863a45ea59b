/**
 * The network stage plugins against local OpenAI-compatible test servers (mocks of the remote
 * services, which do not run here), and the choice of plugin from the environment.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { parseWav, RATE, toWav } from '../../src/bots/audio/pcm.ts';
import {
  EspeakCliTts,
  espeakCliAvailable,
  EspeakTts,
  OpenAiLlm,
  OpenAiStt,
  OpenAiTts,
  PocketSphinxStt,
  pluginsFromEnv,
  RuleLlm,
  StageError,
} from '../../src/bots/plugins/index.ts';
import { sleep } from './helpers.ts';
import { skipUnlessInstalled } from '../helpers/skip.ts';

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void | Promise<void>;

async function withServer(handler: Handler, run: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('OpenAI-compatible TTS: posts model, voice and text, and decodes the WAV it gets', async () => {
  const wav = toWav({ samples: new Int16Array(2400).fill(1000), rate: 24_000 });
  let seen: { url?: string; auth?: string; body?: Record<string, unknown> } = {};
  await withServer(
    (req, body, res) => {
      seen = { url: req.url, auth: req.headers.authorization, body: JSON.parse(body.toString()) };
      res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
    },
    async (url) => {
      const pcm = await new OpenAiTts({
        url: `${url}/v1`,
        model: 'tts-x',
        voice: 'nova',
        apiKey: 'k-123',
      }).synthesize('Hello there.');
      assert.equal(pcm.rate, 24_000);
      assert.equal(pcm.samples.length, 2400);
      assert.equal(seen.url, '/v1/audio/speech');
      assert.equal(seen.auth, 'Bearer k-123');
      assert.deepEqual(seen.body, {
        model: 'tts-x',
        voice: 'nova',
        input: 'Hello there.',
        response_format: 'wav',
      });
    },
  );
});

test('OpenAI-compatible STT: uploads the utterance as a WAV and returns the text', async () => {
  let upload = '';
  await withServer(
    (req, body, res) => {
      upload = body.toString('latin1');
      assert.match(String(req.headers['content-type']), /multipart\/form-data/);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ text: ' good morning everyone ' }));
    },
    async (url) => {
      const text = await new OpenAiStt({ url, model: 'whisper-local' }).transcribe({
        samples: new Int16Array(RATE / 2),
        rate: RATE,
      });
      assert.equal(text, 'good morning everyone');
      assert.match(upload, /name="model"\r\n\r\nwhisper-local/);
      assert.match(upload, /filename="utterance.wav"/);
      assert.ok(upload.includes('RIFF') && upload.includes('WAVE'), 'the file part is a WAV');
    },
  );
});

test('OpenAI-compatible LLM: a stream cut at odd places still yields every delta, in order', async () => {
  const events = ['Hel', 'lo', ' there.', ' How', ' are you?'].map(
    (c) => `data: ${JSON.stringify({ choices: [{ delta: { content: c } }] })}\n\n`,
  );
  const raw = events.join('') + 'data: [DONE]\n\n';
  await withServer(
    async (_req, body, res) => {
      const request = JSON.parse(body.toString()) as { stream: boolean; messages: unknown[] };
      assert.equal(request.stream, true);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < raw.length; i += 7) {
        res.write(raw.slice(i, i + 7)); // split inside lines and JSON
        await sleep(1);
      }
      res.end();
    },
    async (url) => {
      let text = '';
      for await (const delta of new OpenAiLlm({ url }).complete([{ role: 'user', content: 'hi' }]))
        text += delta;
      assert.equal(text, 'Hello there. How are you?');
    },
  );
});

test('unreachable or failing endpoints raise a StageError naming the stage', async () => {
  const dead = 'http://127.0.0.1:9';
  await assert.rejects(
    new OpenAiTts({ url: dead }).synthesize('hi'),
    (e: StageError) => e instanceof StageError && e.stage === 'tts' && /unreachable/.test(e.message),
  );
  await assert.rejects(
    new OpenAiStt({ url: dead }).transcribe({ samples: new Int16Array(10), rate: RATE }),
    (e: StageError) => e.stage === 'stt',
  );
  await assert.rejects(
    (async () => {
      for await (const _ of new OpenAiLlm({ url: dead }).complete([])) void _;
    })(),
    (e: StageError) => e.stage === 'llm',
  );
  await withServer(
    (_req, _body, res) => void res.writeHead(500).end('boom'),
    async (url) => {
      await assert.rejects(new OpenAiTts({ url }).synthesize('hi'), /answered 500/);
    },
  );
});

test('plugins come from the environment: network ones when their URL is set, offline ones otherwise', () => {
  const offline = pluginsFromEnv({});
  assert.ok(offline.tts instanceof (espeakCliAvailable() ? EspeakCliTts : EspeakTts));
  assert.ok(pluginsFromEnv({ ESPEAK: 'wasm' }).tts instanceof EspeakTts);
  assert.ok(offline.stt instanceof PocketSphinxStt);
  assert.ok(offline.llm instanceof RuleLlm);
  const online = pluginsFromEnv({
    TTS_URL: 'http://a',
    STT_URL: 'http://b',
    LLM_URL: 'http://c',
    LLM_API_KEY: 'secret',
  });
  assert.ok(online.tts instanceof OpenAiTts);
  assert.ok(online.stt instanceof OpenAiStt);
  assert.ok(online.llm instanceof OpenAiLlm);
});

test('espeak-ng WASM speaks at 22,050 Hz and its WAV parses', async () => {
  const pcm = await new EspeakTts().synthesize('hello world');
  assert.equal(pcm.rate, 22_050);
  assert.ok(pcm.samples.length > 22_050 / 2);
  assert.equal(parseWav(toWav(pcm)).samples.length, pcm.samples.length);
});

test(
  'espeak-ng CLI: text on stdin (never taken as an option), speech PocketSphinx recovers',
  { skip: skipUnlessInstalled(!espeakCliAvailable() && 'Debian espeak-ng is not installed') },
  async () => {
    const { PocketSphinxStt: Stt, pocketsphinxMissing } =
      await import('../../src/bots/plugins/stt-pocketsphinx.ts');
    const { grammar, normalise, SENTENCES } = await import('./helpers.ts');
    const tts = new EspeakCliTts();
    const t = performance.now();
    const pcm = await tts.synthesize(SENTENCES.meeting);
    console.log(`# espeak-ng CLI: ${(performance.now() - t).toFixed(0)} ms for one sentence`);
    assert.equal(pcm.rate, 22_050);
    const dashes = await tts.synthesize('--help me');
    assert.ok(dashes.samples.length > 5000, 'a text starting with dashes is spoken, not parsed');
    if (pocketsphinxMissing()) return;
    const stt = new Stt({ jsgf: grammar() });
    assert.equal(normalise(await stt.transcribe(pcm)), SENTENCES.meeting);
    stt.close();
  },
);

/**
 * Bots in a real lobby of the real server, with werift "humans" (real WebRTC, real Opus, real
 * espeak-ng speech, real PocketSphinx). Bots join as sessions with a token, exactly what a
 * provider does for a `spawn`. The one mock: the OpenAI-compatible LLM server of the assistant
 * test (no model runs here), a local HTTP server below.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, test } from 'node:test';
import { RATE } from '../../src/bots/audio/pcm.ts';
import { assistantBot, echoBot, transcriberBot, announcerBot } from '../../src/bots/builtin/index.ts';
import {
  offlineTts,
  OpenAiLlm,
  OpenAiStt,
  OpenAiTts,
  PocketSphinxStt,
  RuleLlm,
} from '../../src/bots/plugins/index.ts';
import { runBot, type BotRuntime } from '../../src/bots/runtime.ts';
import type { BotDefinition } from '../../src/bots/sdk.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { grammar, normalise, SENTENCES, sleep, speech48k, sttSkipReason, waitFor } from './helpers.ts';
import { createLobby, createSession, WeriftHuman } from './lobby.ts';

const skip = sttSkipReason();
let server: RunningServer;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  if (!skip) server = await startServer();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
after(async () => {
  await server?.stop();
});

async function lobbyWith(humans: string[]): Promise<{ lobbyId: string; people: WeriftHuman[] }> {
  const owner = await createSession(server.url);
  const lobbyId = await createLobby(
    server.url,
    owner.token,
    `bots-${Math.random().toString(36).slice(2, 8)}`,
  );
  const people: WeriftHuman[] = [];
  for (const [i, name] of humans.entries()) {
    const human = await WeriftHuman.join(server.url, lobbyId, name, i === 0 ? owner : undefined);
    cleanups.push(() => human.close());
    people.push(human);
  }
  return { lobbyId, people };
}

async function addBot(
  def: BotDefinition,
  lobbyId: string,
  name: string,
  plugins: Partial<BotRuntime['def']> & Record<string, unknown> = {},
): Promise<BotRuntime> {
  const { token } = await createSession(server.url);
  const bot = await runBot(def, {
    serverUrl: server.url,
    token,
    lobbyId,
    name,
    log: (m) => process.env.BOT_TEST_VERBOSE && console.log(m),
    plugins: {
      tts: offlineTts(), // Debian's espeak-ng when installed, else the WASM build
      stt: new PocketSphinxStt({ jsgf: grammar() }),
      llm: new RuleLlm(),
      ...(plugins as object),
    },
  });
  cleanups.push(() => bot.stop());
  return bot;
}

async function connected(people: WeriftHuman[], bot: BotRuntime) {
  await waitFor(
    'media between the humans and the bot',
    () => people.every((h) => h.connectedTo(bot.sessionId)),
    15_000,
  );
}

test(
  'transcriber: two humans speaking at once become two chat lines with the right names',
  { skip },
  async () => {
    const { lobbyId, people } = await lobbyWith(['Alice', 'Bob']);
    const [alice, bob] = people as [WeriftHuman, WeriftHuman];
    const bot = await addBot(transcriberBot, lobbyId, 'Scribe');
    await connected(people, bot);
    const [a, b] = await Promise.all([speech48k(SENTENCES.fox), speech48k(SENTENCES.morning)]);
    const spoken = Promise.all([alice.speak(a), sleep(700).then(() => bob.speak(b))]);
    const lines = await waitFor(
      'two transcript lines',
      () => {
        const fromBot = alice.chat.filter((m) => m.sender_id === bot.sessionId);
        return fromBot.length >= 2 && fromBot;
      },
      20_000,
    );
    await spoken;
    const texts = lines.map((m) => m.text).sort();
    assert.deepEqual(texts, [`Alice: ${SENTENCES.fox}`, `Bob: ${SENTENCES.morning}`]);
    console.log(
      `# latency transcriber: end of speech → chat line stored ${bot.chatLatencies.join(', ')} ms (VAD hangover + STT + send_chat)`,
    );
    assert.equal(bot.chatLatencies.length, 2);
    await sleep(1500);
    assert.equal(alice.chat.filter((m) => m.sender_id === bot.sessionId).length, 2, 'no extra lines');
  },
);

test('echo: plays back what a human said, and the human hears their own sentence', { skip }, async () => {
  const { lobbyId, people } = await lobbyWith(['Carol']);
  const [carol] = people as [WeriftHuman];
  const bot = await addBot(echoBot, lobbyId, 'Echo');
  await connected(people, bot);
  const speech = await speech48k(SENTENCES.meeting);
  const sentAt = Date.now();
  await carol.speak(speech);
  const back = await waitFor(
    'the echo',
    () => carol.utterances.find((u) => u.from === bot.sessionId),
    15_000,
  );
  assert.ok(back.startedAt > sentAt + 500, 'the echo comes after the speech');
  const stt = new PocketSphinxStt({ jsgf: grammar() });
  assert.equal(normalise(await stt.transcribe({ samples: back.samples, rate: RATE })), SENTENCES.meeting);
  stt.close();
  const [latency] = bot.latencies;
  assert.ok(latency, 'the bot measured its latency');
  console.log(
    `# latency echo: ${latency.totalMs} ms end of speech → first packet (VAD hangover ${latency.vadMs} ms)`,
  );
  assert.ok(latency.totalMs < 2000);
});

/** The mocked OpenAI-compatible chat completions server (the one thing mocked: no model runs here). */
function mockLlm(
  reply: (question: string) => string,
): Promise<{ url: string; server: Server; requests: unknown[] }> {
  const requests: unknown[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as { messages: { role: string; content: string }[]; stream?: boolean };
      requests.push(parsed);
      const question = parsed.messages.at(-1)?.content ?? '';
      const text = reply(question);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // stream word by word, like a model
      for (const word of text.split(/(?<= )/)) {
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: word } }] })}\n\n`);
        await sleep(5);
      }
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${address.port}`, server: srv, requests });
    }),
  );
}

test(
  'assistant: answers a spoken question with audio and a chat line; barge-in stops its speech',
  { skip },
  async () => {
    const long = 'The meeting starts at nine. ' + 'Please open the window. '.repeat(8);
    const llm = await mockLlm((q) =>
      /time/.test(q) ? 'The meeting starts at nine.' : /window/.test(q) ? 'Okay.' : long,
    );
    cleanups.push(() => new Promise((r) => llm.server.close(r)));
    const { lobbyId, people } = await lobbyWith(['Dave']);
    const [dave] = people as [WeriftHuman];
    const bot = await addBot(assistantBot, lobbyId, 'Assistant', {
      llm: new OpenAiLlm({ url: llm.url, model: 'mock' }),
    });
    await connected(people, bot);

    // 1. a spoken question: audio back and a chat line
    await dave.speak(await speech48k(SENTENCES.question));
    const line = await waitFor(
      'the chat answer',
      () => dave.chat.find((m) => m.sender_id === bot.sessionId),
      20_000,
    );
    assert.equal(line.text, 'The meeting starts at nine.');
    const heard = await waitFor(
      'the spoken answer',
      () => dave.utterances.find((u) => u.from === bot.sessionId),
      15_000,
    );
    const stt = new PocketSphinxStt({ jsgf: grammar() });
    assert.equal(normalise(await stt.transcribe({ samples: heard.samples, rate: RATE })), SENTENCES.meeting);
    stt.close();
    const asked = llm.requests[0] as { messages: { role: string; content: string }[] };
    assert.equal(
      asked.messages.at(-1)?.content,
      `Dave: ${SENTENCES.question}`,
      'the LLM got the transcript with the speaker',
    );
    const latency = bot.latencies[0]!;
    console.log(
      `# latency assistant (espeak-ng + PocketSphinx + streamed mock LLM): ${latency.totalMs} ms end of speech → first packet (VAD ${latency.vadMs}, STT ${latency.sttMs}, LLM+TTS ${latency.restMs})`,
    );

    // 2. a long answer, cut off by the human speaking
    await dave.sendChat('assistant, tell me something long');
    const started = await waitFor(
      'the long answer to start',
      () => dave.loudFrom(bot.sessionId, Date.now() - 300).length > 10 && Date.now(),
      20_000,
    );
    await sleep(1000);
    const interruptAt = Date.now();
    void dave.speak(await speech48k(SENTENCES.weather));
    await sleep(3000);
    // the last loud packet before the first long gap (the bot then answers the interruption: "Okay.")
    const loud = dave.loudFrom(bot.sessionId, interruptAt - 100);
    const gap = loud.findIndex((p, i) => i + 1 < loud.length && loud[i + 1]!.at - p.at > 400);
    const lastLoud = gap >= 0 ? loud[gap]! : loud.at(-1)!;
    const stoppedAfter = lastLoud.at - interruptAt;
    console.log(`# barge-in: the bot's audio stopped ${stoppedAfter} ms after the human started speaking`);
    assert.ok(stoppedAfter < 1200, `speech stopped ${stoppedAfter} ms after the interruption`);
    assert.ok(Date.now() - started < 10_000, 'the full answer would have been much longer');
    // its memory holds the conversation: the second request carried the first exchange
    const second = llm.requests[1] as { messages: { role: string; content: string }[] };
    assert.ok(
      second.messages.some((m) => m.role === 'assistant' && m.content === 'The meeting starts at nine.'),
    );
  },
);

test('assistant: an unreachable LLM gives a chat message saying so, not silence', { skip }, async () => {
  const { lobbyId, people } = await lobbyWith(['Erin']);
  const [erin] = people as [WeriftHuman];
  const bot = await addBot(assistantBot, lobbyId, 'Assistant', {
    llm: new OpenAiLlm({ url: 'http://127.0.0.1:9', model: 'none' }),
  });
  await erin.sendChat('assistant, are you there?');
  const note = await waitFor(
    'the problem report',
    () => erin.chat.find((m) => m.sender_id === bot.sessionId),
    15_000,
  );
  assert.match(note.text, /cannot think right now: the language model is unreachable/);
});

test('unreachable speech services: the transcriber and the announcer say so in chat', { skip }, async () => {
  const dead = 'http://127.0.0.1:9';
  const { lobbyId, people } = await lobbyWith(['Kim']);
  const [kim] = people as [WeriftHuman];
  const scribe = await addBot(transcriberBot, lobbyId, 'Scribe', { stt: new OpenAiStt({ url: dead }) });
  const crier = await addBot(announcerBot, lobbyId, 'Crier', { tts: new OpenAiTts({ url: dead }) });
  await connected(people, scribe);
  await kim.speak(await speech48k(SENTENCES.morning));
  const sttNote = await waitFor(
    'the transcriber note',
    () => kim.chat.find((m) => m.sender_id === scribe.sessionId),
    15_000,
  );
  assert.match(sttNote.text, /cannot understand speech right now: the transcription service is unreachable/);
  await kim.sendChat('hello there');
  const ttsNote = await waitFor(
    'the announcer note',
    () => kim.chat.find((m) => m.sender_id === crier.sessionId),
    15_000,
  );
  assert.match(ttsNote.text, /cannot speak right now: the speech service is unreachable/);
});

test('announcer: speaks a chat line to the lobby', { skip }, async () => {
  const { lobbyId, people } = await lobbyWith(['Henry', 'Frank']);
  const [henry, frank] = people as [WeriftHuman, WeriftHuman];
  const bot = await addBot(announcerBot, lobbyId, 'Announcer');
  await connected(people, bot);
  const sentAt = Date.now();
  await henry.sendChat('the meeting starts at nine');
  const heard = await waitFor(
    'the announcement',
    () => frank.utterances.find((u) => u.from === bot.sessionId),
    15_000,
  );
  await sleep(1500);
  const first = frank.loudFrom(bot.sessionId, sentAt)[0]!;
  console.log(
    `# latency announcer: ${first.at - sentAt} ms from send_chat to the first loud packet at the listener`,
  );
  const stt = new PocketSphinxStt({ jsgf: grammar(['henry says the meeting starts at nine']) });
  assert.equal(
    normalise(await stt.transcribe({ samples: heard.samples, rate: RATE })),
    'henry says the meeting starts at nine',
  );
  stt.close();
});

test('a bot whose server restarts reconnects with its token and is back in its lobby', { skip }, async () => {
  const { lobbyId, people } = await lobbyWith(['Ivy']);
  await people[0]!.close();
  const bot = await addBot(assistantBot, lobbyId, 'Assistant');
  await server.stop();
  server = await startServer({ dataDir: server.dataDir, port: server.port });
  const back = await waitFor(
    'the bot back in the lobby',
    async () => {
      const body = (await (await fetch(`${server.url}/api/lobbies/${lobbyId}`)).json()) as {
        lobby: { participants: { session_id: string }[] };
      };
      return body.lobby.participants.some((p) => p.session_id === bot.sessionId);
    },
    30_000,
  );
  assert.ok(back);
  const jack = await WeriftHuman.join(server.url, lobbyId, 'Jack');
  cleanups.push(() => jack.close());
  await jack.sendChat('assistant, hello');
  const reply = await waitFor(
    'the reply',
    () => jack.chat.find((m) => m.sender_id === bot.sessionId),
    15_000,
  );
  assert.equal(reply.text, 'Hello! How can I help you today?');
});

/**
 * Bots with a real browser: Debian's Chromium driven by playwright-core, its fake microphone fed
 * a WAV spoken by espeak-ng, bots added through the real API and run by a real provider (one
 * child process per bot). Nothing mocked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { concat, RATE, silence, toWav } from '../../src/bots/audio/pcm.ts';
import { BotProvider } from '../../src/bots/provider.ts';
import { botCatalog } from '../../src/bots/registry.ts';
import { PocketSphinxStt } from '../../src/bots/plugins/stt-pocketsphinx.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import {
  chromiumSkipReason,
  grammar,
  normalise,
  SENTENCES,
  speech48k,
  sttSkipReason,
  waitFor,
} from './helpers.ts';
import { createLobby, createSession } from './lobby.ts';
import { pageClient } from './page-client.ts';
import { CHROMIUM, FLAGS } from '../e2e/browser.ts';

const KEY = 'chromium-test-provider-key-0123456789';
const skip = sttSkipReason() || chromiumSkipReason();
const ANNOUNCED = 'grace says the meeting starts at nine';
/** tsx (esbuild keepNames) wraps functions in `__name(...)`: give the page that helper. */
const TSX_NAME_SHIM = 'globalThis.__name = (fn) => fn';
let server: RunningServer;
let provider: BotProvider;
let dir: string;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'bots-chromium-'));
  const grammarFile = join(dir, 'bots.gram');
  writeFileSync(grammarFile, grammar([ANNOUNCED]));
  // the bot processes take their stage plugins from the environment, as in production
  process.env.STT_JSGF = grammarFile;
  server = await startServer({ env: { BOT_PROVIDER_KEY: KEY } });
  provider = new BotProvider({
    serverUrl: server.url,
    key: KEY,
    bots: [...(await botCatalog()).values()],
    log: (m) => process.env.BOT_TEST_VERBOSE && console.log(m),
  });
  await provider.start();
});
after(async () => {
  await provider?.stop();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function browserWithMic(wav: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...FLAGS, `--use-file-for-fake-audio-capture=${wav}%noloop`],
  });
}

async function joinPage(
  browser: Browser,
  name: string,
): Promise<{ page: Page; lobbyId: string; token: string; sessionId: string }> {
  const session = await createSession(server.url);
  const lobbyId = await createLobby(server.url, session.token, `chromium-${name}`);
  const page = await browser.newPage();
  await page.goto(`${server.url}/api/system/health`); // same origin as the API and /ws
  await page.evaluate(TSX_NAME_SHIM);
  await page.evaluate(pageClient, { token: session.token, lobbyId, name });
  await page.waitForFunction(() => (window as any).state.joined === true); // eslint-disable-line @typescript-eslint/no-explicit-any
  return { page, lobbyId, token: session.token, sessionId: session.id };
}

async function addBot(lobbyId: string, token: string, bot: string): Promise<string> {
  const response = await fetch(`${server.url}/api/lobbies/${lobbyId}/bots`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bot }),
  });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { session_id: string }).session_id;
}

test(
  'transcriber: a Chromium user speaks (fake mic WAV) and the bot posts the sentence to chat',
  { skip },
  async () => {
    // 2.5 s of silence first: the page connects to the bot while the "microphone" is quiet
    const wav = join(dir, 'fox.wav');
    writeFileSync(
      wav,
      toWav({ samples: concat([silence(2500), await speech48k(SENTENCES.fox), silence(1500)]), rate: RATE }),
    );
    const session = await createSession(server.url);
    const lobbyId = await createLobby(server.url, session.token, 'chromium-transcriber');
    // the admin adds the bot first, so it is there when the fake microphone starts
    const botId = await addBot(lobbyId, server.adminToken, 'transcriber');
    await waitFor('the bot in the lobby', async () => {
      const body = (await (await fetch(`${server.url}/api/lobbies/${lobbyId}`)).json()) as {
        lobby: { participants: { session_id: string }[] };
      };
      return body.lobby.participants.some((p) => p.session_id === botId);
    });
    const browser = await browserWithMic(wav);
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/api/system/health`);
      await page.evaluate(TSX_NAME_SHIM);
      await page.evaluate(pageClient, { token: session.token, lobbyId, name: 'Olivia' });
      const line = await waitFor(
        'the transcript line',
        async () =>
          (
            (await page.evaluate(() => (window as any).state.chat)) as { sender_id: string; text: string }[]
          ).find((m) => m.sender_id === botId), // eslint-disable-line @typescript-eslint/no-explicit-any
        25_000,
      );
      assert.equal(line.text, `Olivia: ${SENTENCES.fox}`);
    } finally {
      await browser.close();
    }
  },
);

test(
  'announcer: a chat line is spoken; the page hears energy from the bot and its WebAudio capture is the sentence',
  { skip },
  async () => {
    const wav = join(dir, 'quiet.wav');
    writeFileSync(wav, toWav({ samples: silence(500), rate: RATE }));
    const browser = await browserWithMic(wav);
    try {
      const { page, lobbyId, token } = await joinPage(browser, 'Grace');
      const botId = await addBot(lobbyId, token, 'announcer');
      await page.waitForFunction((id) => (window as any).connectedTo(id), botId, { timeout: 15_000 }); // eslint-disable-line @typescript-eslint/no-explicit-any
      const energyBefore = (await page.evaluate((id) => (window as any).inboundEnergy(id), botId)) as number; // eslint-disable-line @typescript-eslint/no-explicit-any
      const chunksBefore = (
        (await page.evaluate((id) => (window as any).captured(id), botId)) as { chunks: number }
      ).chunks; // eslint-disable-line @typescript-eslint/no-explicit-any
      const sentAt = Date.now();
      await page.evaluate((text) => (window as any).sendChat(text), 'the meeting starts at nine'); // eslint-disable-line @typescript-eslint/no-explicit-any
      const rose = await waitFor(
        'inbound energy from the bot',
        async () =>
          ((await page.evaluate((id) => (window as any).inboundEnergy(id), botId)) as number) >
            energyBefore + 0.001 && Date.now(), // eslint-disable-line @typescript-eslint/no-explicit-any
        15_000,
      );
      console.log(
        `# announcer → Chromium: inbound audio energy rose ${rose - sentAt} ms after send_chat (getStats polling, 50 ms)`,
      );
      await new Promise((r) => setTimeout(r, 4000)); // let the sentence play out
      const energyAfter = (await page.evaluate((id) => (window as any).inboundEnergy(id), botId)) as number; // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.ok(energyAfter > energyBefore + 0.01, `energy rose from ${energyBefore} to ${energyAfter}`);
      const cap = (await page.evaluate(([id, from]) => (window as any).captured(id, from), [
        botId,
        chunksBefore,
      ] as const)) as { rate: number; pcm: string }; // eslint-disable-line @typescript-eslint/no-explicit-any
      const buf = Buffer.from(cap.pcm, 'base64');
      const samples = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
      const stt = new PocketSphinxStt({ jsgf: grammar([ANNOUNCED]) });
      assert.equal(normalise(await stt.transcribe({ samples, rate: cap.rate })), ANNOUNCED);
      stt.close();
    } finally {
      await browser.close();
    }
  },
);

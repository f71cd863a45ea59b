/**
 * Drives Debian's Chromium with playwright-core for the end-to-end tests: one browser process per
 * person (a fresh --user-data-dir each, so each has its own localStorage and session), fake
 * microphone, and helpers to read WebRTC inbound audio statistics from the page.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../helpers/server.ts';
import { skipUnlessInstalled } from '../helpers/skip.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];
export const RESULTS = join(ROOT, 'test-results');

export function chromiumMissing(): string | false {
  return skipUnlessInstalled(
    existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );
}

/** Builds dist/web unless it is newer than its sources. */
export function buildWeb(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--if-stale'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface Person {
  label: string;
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught exceptions of the page. */
  errors: string[];
  /** alert/confirm/prompt dialogs the page opened (an XSS would). */
  dialogs: string[];
  close(): Promise<void>;
}

/** Records every RTCPeerConnection the page makes, so the test can read its stats. */
const TRACK_PEER_CONNECTIONS = () => {
  const Original = window.RTCPeerConnection;
  const all: RTCPeerConnection[] = [];
  (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
  window.RTCPeerConnection = class extends Original {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      all.push(this);
    }
  } as typeof RTCPeerConnection;
};

export async function launchPerson(
  label: string,
  options: { initScript?: () => void; viewport?: { width: number; height: number } } = {},
): Promise<Person> {
  const userDataDir = mkdtempSync(join(tmpdir(), `voicebot-e2e-${label}-`));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    // Playwright's headless default mutes all audio output; remote audio must really play
    // for Chromium to count its energy.
    ignoreDefaultArgs: ['--mute-audio'],
    viewport: options.viewport ?? { width: 1200, height: 860 },
  });
  await context.addInitScript(TRACK_PEER_CONNECTIONS);
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error')
      errors.push(`${label} console: ${message.text()} [${message.location().url}]`);
  });
  page.on('pageerror', (error) => errors.push(`${label} pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(`${label}: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  return {
    label,
    context,
    page,
    errors,
    dialogs,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface InboundAudio {
  bytesReceived: number;
  totalAudioEnergy: number;
  packetsReceived: number;
  connectionState: string;
  playing: boolean;
}

/** Inbound audio per remote peer id, matched through the `<audio data-peer-id>` element's track. */
export async function inboundAudio(page: Page): Promise<Record<string, InboundAudio>> {
  return page.evaluate(async () => {
    const out: Record<string, InboundAudio> = {};
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? [];
    const byTrack = new Map<string, HTMLAudioElement>();
    for (const audio of document.querySelectorAll<HTMLAudioElement>('audio[data-peer-id]')) {
      const track = (audio.srcObject as MediaStream | null)?.getAudioTracks()[0];
      if (track) byTrack.set(track.id, audio);
    }
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((report: Record<string, unknown>) => {
        if (report.type !== 'inbound-rtp' || report.kind !== 'audio') return;
        const audio = byTrack.get(String(report.trackIdentifier));
        if (!audio?.dataset.peerId) return;
        out[audio.dataset.peerId] = {
          bytesReceived: Number(report.bytesReceived ?? 0),
          totalAudioEnergy: Number(report.totalAudioEnergy ?? 0),
          packetsReceived: Number(report.packetsReceived ?? 0),
          connectionState: pc.connectionState,
          playing: !audio.paused && !audio.muted,
        };
      });
    }
    return out;
  });
}

/**
 * Waits until `page` receives audio from every peer in `from`: bytesReceived grows between two
 * samples and totalAudioEnergy > 0. Returns the last sample per peer.
 */
export const MIN_ENERGY = 1e-4;

export async function expectAudioFrom(
  page: Page,
  from: string[],
  timeoutMs = 20_000,
): Promise<Record<string, InboundAudio & { grewBy: number }>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, InboundAudio> = {};
  for (;;) {
    const first = await inboundAudio(page);
    await page.waitForTimeout(700);
    const second = await inboundAudio(page);
    last = second;
    const result: Record<string, InboundAudio & { grewBy: number }> = {};
    let ok = true;
    for (const peer of from) {
      const a = first[peer];
      const b = second[peer];
      if (!a || !b) {
        ok = false;
        continue;
      }
      const grewBy = b.bytesReceived - a.bytesReceived;
      result[peer] = { ...b, grewBy };
      // A real signal, not the near-zero energy of comfort noise: the fake microphone beeps.
      if (grewBy <= 0 || b.totalAudioEnergy <= MIN_ENERGY || !b.playing) ok = false;
    }
    if (ok) return result;
    if (Date.now() > deadline) {
      throw new Error(
        `no audio from ${from.join(', ')} within ${timeoutMs} ms; last stats: ${JSON.stringify(last)}`,
      );
    }
  }
}

export async function sessionId(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const token = localStorage.getItem('voicebot.token');
    const response = await fetch('/api/sessions/me', { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { session: { id: string } };
    return body.session.id;
  });
}

export function resultsDir(): string {
  mkdirSync(RESULTS, { recursive: true });
  return RESULTS;
}

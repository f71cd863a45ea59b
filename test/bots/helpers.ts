/** Shared bits of the bot tests: real espeak-ng speech, a JSGF grammar, and skip reasons. */
import { EspeakTts } from '../../src/bots/plugins/tts-espeak.ts';
import { RATE, resample } from '../../src/bots/audio/pcm.ts';
import { pocketsphinxMissing } from '../../src/bots/plugins/stt-pocketsphinx.ts';
import { chromiumMissing } from '../e2e/browser.ts';
import { skipUnlessInstalled } from '../helpers/skip.ts';

export const SENTENCES = {
  fox: 'the quick brown fox jumps over the lazy dog',
  morning: 'good morning everyone',
  weather: 'please open the window',
  meeting: 'the meeting starts at nine',
  question: 'assistant what time is it',
  long: 'hello alice says the meeting starts at nine',
};

/** A JSGF grammar with every sentence the tests speak (PocketSphinx is exact with one). */
export function grammar(extra: string[] = []): string {
  const all = [...Object.values(SENTENCES), ...extra].map((s) => s.toLowerCase().replace(/[^a-z ]/g, ''));
  return `#JSGF V1.0;\ngrammar bots;\npublic <s> = ${[...new Set(all)].join(' | ')};\n`;
}

const tts = new EspeakTts();

/** `text` spoken by espeak-ng, at 48 kHz. */
export async function speech48k(text: string): Promise<Int16Array> {
  const pcm = await tts.synthesize(text);
  return resample(pcm.samples, pcm.rate, RATE);
}

export function sttSkipReason(): string | false {
  return skipUnlessInstalled(pocketsphinxMissing());
}

export function chromiumSkipReason(): string | false {
  return chromiumMissing();
}

export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z ]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

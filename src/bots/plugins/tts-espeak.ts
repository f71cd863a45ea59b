/** Offline TTS: espeak-ng compiled to WASM (npm `espeak-ng`), 22,050 Hz mono. */
import { parseWav, type Pcm } from '../audio/pcm.ts';
import { StageError, type TextToSpeech } from './types.ts';

type ESpeakModule = { FS: { readFile(path: string): Uint8Array } };
type ESpeakFactory = (options: {
  arguments: string[];
  print?: (s: string) => void;
  printErr?: (s: string) => void;
}) => Promise<ESpeakModule>;

let factory: Promise<ESpeakFactory> | undefined;

export interface EspeakOptions {
  voice?: string;
  /** Words per minute (espeak's default is 175). */
  speed?: number;
}

export class EspeakTts implements TextToSpeech {
  readonly id = 'espeak-ng';
  #opts: EspeakOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: EspeakOptions = {}) {
    this.#opts = opts;
  }

  synthesize(text: string, signal?: AbortSignal): Promise<Pcm> {
    // one synthesis at a time: each is a fresh WASM instance (~100-300 ms, heavy)
    const run = this.#queue.then(() => this.#synth(text, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #synth(text: string, signal?: AbortSignal): Promise<Pcm> {
    signal?.throwIfAborted();
    const clean = text.replace(/[\u0000-\u001f]+/g, ' ').trim();
    if (!clean) return { samples: new Int16Array(0), rate: 22_050 };
    try {
      factory ??= import('espeak-ng').then((m) => (m as { default: ESpeakFactory }).default);
      const make = await factory;
      const args = [
        '-v',
        this.#opts.voice ?? 'en-us',
        '-s',
        String(this.#opts.speed ?? 160),
        '-w',
        'out.wav',
        clean,
      ];
      const instance = await make({ arguments: args, print: () => {}, printErr: () => {} });
      return parseWav(instance.FS.readFile('out.wav'));
    } catch (error) {
      throw new StageError('tts', `espeak-ng failed: ${(error as Error).message}`);
    }
  }
}

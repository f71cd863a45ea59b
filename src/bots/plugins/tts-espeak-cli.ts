/**
 * Offline TTS through Debian's `espeak-ng` binary (`--stdout`, text on stdin so no text is ever
 * taken for an option). Same voice as the WASM build but ~40 ms a sentence instead of 100–300 ms
 * (the WASM build instantiates an 18 MB module per call), which is first-audio latency.
 */
import { spawn, spawnSync } from 'node:child_process';
import { parseWav, type Pcm } from '../audio/pcm.ts';
import { StageError, type TextToSpeech } from './types.ts';
import type { EspeakOptions } from './tts-espeak.ts';

export function espeakCliAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v espeak-ng'], { stdio: 'ignore' }).status === 0;
}

export class EspeakCliTts implements TextToSpeech {
  readonly id = 'espeak-ng-cli';
  #opts: EspeakOptions;

  constructor(opts: EspeakOptions = {}) {
    this.#opts = opts;
  }

  synthesize(text: string, signal?: AbortSignal): Promise<Pcm> {
    const clean = text.replace(/[\u0000-\u001f]+/g, ' ').trim();
    if (!clean) return Promise.resolve({ samples: new Int16Array(0), rate: 22_050 });
    return new Promise((resolve, reject) => {
      const child = spawn(
        'espeak-ng',
        ['-v', this.#opts.voice ?? 'en-us', '-s', String(this.#opts.speed ?? 160), '--stdout'],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
          signal,
        },
      );
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', (error) => {
        if (signal?.aborted) return reject(signal.reason);
        reject(new StageError('tts', `espeak-ng could not run (${error.message})`));
      });
      child.on('close', (code) => {
        if (signal?.aborted) return;
        if (code !== 0)
          return reject(new StageError('tts', `espeak-ng exited with ${code}: ${err.slice(0, 200)}`));
        try {
          resolve(parseWav(Buffer.concat(out)));
        } catch (error) {
          reject(new StageError('tts', `espeak-ng gave unusable audio (${(error as Error).message})`));
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(clean);
    });
  }
}

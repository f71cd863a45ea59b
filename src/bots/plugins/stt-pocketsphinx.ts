/**
 * Offline STT: the Debian `pocketsphinx_continuous` CLI as a child process, on a 16 kHz WAV.
 * Open vocabulary is weak on synthetic speech; a JSGF grammar (file or inline text) is exact.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resample, toWav, type Pcm } from '../audio/pcm.ts';
import { StageError, type SpeechToText } from './types.ts';

export const POCKETSPHINX_BIN = 'pocketsphinx_continuous';

/** Why PocketSphinx cannot run here, or `null` when it can. */
export function pocketsphinxMissing(): string | null {
  const probe = spawnSync('sh', ['-c', `command -v ${POCKETSPHINX_BIN}`], { encoding: 'utf8' });
  if (probe.status !== 0)
    return `${POCKETSPHINX_BIN} is not installed (Debian packages pocketsphinx and pocketsphinx-en-us)`;
  return null;
}

export interface PocketSphinxOptions {
  /** Path of a JSGF grammar file. */
  jsgfFile?: string;
  /** Inline JSGF grammar text (written to a temp file). */
  jsgf?: string;
  timeoutMs?: number;
}

export class PocketSphinxStt implements SpeechToText {
  readonly id = 'pocketsphinx';
  #dirPath: string | undefined;
  #grammarText: string | undefined;
  #grammar: string | undefined;
  #count = 0;
  #timeoutMs: number;

  constructor(opts: PocketSphinxOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#grammarText = opts.jsgf;
    this.#grammar = opts.jsgfFile;
  }

  /** Temp files live in a directory made on first use. */
  get #dir(): string {
    if (!this.#dirPath) {
      this.#dirPath = mkdtempSync(join(tmpdir(), 'bot-stt-'));
      if (this.#grammarText) {
        this.#grammar = join(this.#dirPath, 'grammar.gram');
        writeFileSync(this.#grammar, this.#grammarText);
      }
    }
    return this.#dirPath;
  }

  async transcribe(pcm: Pcm, signal?: AbortSignal): Promise<string> {
    const dir = this.#dir;
    const file = join(dir, `u${this.#count++}.wav`);
    writeFileSync(file, toWav({ samples: resample(pcm.samples, pcm.rate, 16_000), rate: 16_000 }));
    const args = ['-infile', file, '-logfn', '/dev/null'];
    if (this.#grammar) args.push('-jsgf', this.#grammar);
    try {
      return await new Promise<string>((resolve, reject) => {
        const child = spawn(POCKETSPHINX_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), this.#timeoutMs);
        const onAbort = () => child.kill('SIGKILL');
        signal?.addEventListener('abort', onAbort, { once: true });
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(new StageError('stt', `PocketSphinx could not start (${error.message})`));
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) return reject(signal.reason);
          if (code !== 0)
            return reject(new StageError('stt', `PocketSphinx exited with ${code}: ${err.slice(0, 200)}`));
          resolve(
            out
              .split('\n')
              .map((l) => l.trim())
              .filter(Boolean)
              .join(' '),
          );
        });
      });
    } finally {
      rmSync(file, { force: true });
    }
  }

  close(): void {
    if (this.#dirPath) rmSync(this.#dirPath, { recursive: true, force: true });
    this.#dirPath = undefined;
  }
}

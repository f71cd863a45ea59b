/** STT through any OpenAI-compatible `/v1/audio/transcriptions` endpoint (e.g. a local whisper server). */
import { toWav, type Pcm } from '../audio/pcm.ts';
import { endpoint, StageError, type SpeechToText } from './types.ts';

export interface OpenAiSttOptions {
  url: string;
  model?: string;
  apiKey?: string;
  language?: string;
  timeoutMs?: number;
}

export class OpenAiStt implements SpeechToText {
  readonly id = 'openai-stt';
  #opts: OpenAiSttOptions;

  constructor(opts: OpenAiSttOptions) {
    this.#opts = opts;
  }

  async transcribe(pcm: Pcm, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(toWav(pcm))], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.#opts.model ?? 'whisper-1');
    form.append('response_format', 'json');
    if (this.#opts.language) form.append('language', this.#opts.language);
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs ?? 30_000);
    let response: Response;
    try {
      response = await fetch(endpoint(this.#opts.url, '/v1/audio/transcriptions'), {
        method: 'POST',
        headers: this.#opts.apiKey ? { authorization: `Bearer ${this.#opts.apiKey}` } : {},
        body: form,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new StageError('stt', `the transcription service is unreachable (${(error as Error).message})`);
    }
    if (!response.ok) throw new StageError('stt', `the transcription service answered ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as { text?: unknown };
    return typeof body.text === 'string' ? body.text.trim() : '';
  }
}

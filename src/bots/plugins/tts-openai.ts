/** TTS through any OpenAI-compatible `/v1/audio/speech` endpoint (WAV response). */
import { parseWav, type Pcm } from '../audio/pcm.ts';
import { endpoint, StageError, type TextToSpeech } from './types.ts';

export interface OpenAiTtsOptions {
  url: string;
  model?: string;
  voice?: string;
  apiKey?: string;
  timeoutMs?: number;
}

export class OpenAiTts implements TextToSpeech {
  readonly id = 'openai-tts';
  #opts: OpenAiTtsOptions;

  constructor(opts: OpenAiTtsOptions) {
    this.#opts = opts;
  }

  async synthesize(text: string, signal?: AbortSignal): Promise<Pcm> {
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs ?? 20_000);
    let response: Response;
    try {
      response = await fetch(endpoint(this.#opts.url, '/v1/audio/speech'), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#opts.apiKey ? { authorization: `Bearer ${this.#opts.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.#opts.model ?? 'tts-1',
          voice: this.#opts.voice ?? 'alloy',
          input: text,
          response_format: 'wav',
        }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new StageError('tts', `the speech service is unreachable (${(error as Error).message})`);
    }
    if (!response.ok) throw new StageError('tts', `the speech service answered ${response.status}`);
    try {
      return parseWav(new Uint8Array(await response.arrayBuffer()));
    } catch (error) {
      throw new StageError('tts', `the speech service sent unusable audio (${(error as Error).message})`);
    }
  }
}

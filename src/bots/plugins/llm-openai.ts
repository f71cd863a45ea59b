/**
 * LLM through any OpenAI-compatible `/v1/chat/completions` endpoint, streamed (server-sent
 * events), so the bot can start speaking at the first sentence.
 */
import { endpoint, StageError, type ChatTurn, type LanguageModel } from './types.ts';

export interface OpenAiLlmOptions {
  url: string;
  model?: string;
  apiKey?: string;
  timeoutMs?: number;
  maxTokens?: number;
}

export class OpenAiLlm implements LanguageModel {
  readonly id = 'openai-llm';
  #opts: OpenAiLlmOptions;

  constructor(opts: OpenAiLlmOptions) {
    this.#opts = opts;
  }

  async *complete(turns: ChatTurn[], signal?: AbortSignal): AsyncIterable<string> {
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs ?? 60_000);
    let response: Response;
    try {
      response = await fetch(endpoint(this.#opts.url, '/v1/chat/completions'), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(this.#opts.apiKey ? { authorization: `Bearer ${this.#opts.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.#opts.model ?? 'gpt-4o-mini',
          messages: turns,
          stream: true,
          ...(this.#opts.maxTokens ? { max_tokens: this.#opts.maxTokens } : {}),
        }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new StageError('llm', `the language model is unreachable (${(error as Error).message})`);
    }
    if (!response.ok || !response.body)
      throw new StageError('llm', `the language model answered ${response.status}`);
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('event-stream')) {
      // a server that ignored `stream: true`
      const body = (await response.json().catch(() => ({}))) as {
        choices?: { message?: { content?: string } }[];
      };
      const text = body.choices?.[0]?.message?.content;
      if (text) yield text;
      return;
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        try {
          const parsed = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
          const delta = parsed.choices?.[0]?.delta?.content;
          if (delta) yield delta;
        } catch {
          /* a keep-alive or a partial line: skip */
        }
      }
    }
  }
}

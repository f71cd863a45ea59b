/**
 * The three stage plugins, one small interface each (the LiveKit-agents shape): a bot pipeline
 * is transport → VAD → STT → LLM → TTS, and any stage can be swapped.
 */
import type { Pcm } from '../audio/pcm.ts';

export interface TextToSpeech {
  readonly id: string;
  /** Speak `text`; any rate, mono. */
  synthesize(text: string, signal?: AbortSignal): Promise<Pcm>;
}

export interface SpeechToText {
  readonly id: string;
  /** Transcribe one utterance; '' when nothing was recognised. */
  transcribe(pcm: Pcm, signal?: AbortSignal): Promise<string>;
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LanguageModel {
  readonly id: string;
  /** Stream the reply as text deltas. */
  complete(turns: ChatTurn[], signal?: AbortSignal): AsyncIterable<string>;
}

export interface Plugins {
  tts: TextToSpeech;
  stt: SpeechToText;
  llm: LanguageModel;
}

/** A stage failed in a way the people in the lobby should hear about (endpoint down, tool missing). */
export class StageError extends Error {
  constructor(
    readonly stage: 'tts' | 'stt' | 'llm',
    message: string,
  ) {
    super(message);
    this.name = 'StageError';
  }
}

/** `base` may be a server root or the full endpoint URL. */
export function endpoint(base: string, path: string): string {
  const trimmed = base.replace(/\/+$/, '');
  if (trimmed.endsWith(path)) return trimmed;
  if (trimmed.endsWith('/v1')) return trimmed + path.slice(3);
  return trimmed + path;
}

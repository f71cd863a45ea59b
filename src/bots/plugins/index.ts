/** Pick each stage's plugin from the environment: the network one when its URL is set, else the offline one. */
import { readFileSync } from 'node:fs';
import { OpenAiLlm } from './llm-openai.ts';
import { RuleLlm } from './llm-rules.ts';
import { OpenAiStt } from './stt-openai.ts';
import { PocketSphinxStt } from './stt-pocketsphinx.ts';
import { OpenAiTts } from './tts-openai.ts';
import { EspeakTts } from './tts-espeak.ts';
import { EspeakCliTts, espeakCliAvailable } from './tts-espeak-cli.ts';
import type { Plugins } from './types.ts';

export * from './types.ts';
export {
  EspeakTts,
  EspeakCliTts,
  espeakCliAvailable,
  OpenAiTts,
  PocketSphinxStt,
  OpenAiStt,
  OpenAiLlm,
  RuleLlm,
};

export type Env = Record<string, string | undefined>;

/**
 * TTS_URL/TTS_MODEL/TTS_VOICE/TTS_API_KEY, ESPEAK (cli|wasm), STT_URL/STT_MODEL/STT_API_KEY, STT_JSGF (a grammar file
 * for PocketSphinx), LLM_URL/LLM_MODEL/LLM_API_KEY, ESPEAK_VOICE/ESPEAK_SPEED.
 */
export function pluginsFromEnv(env: Env = process.env): Plugins {
  const espeak = { voice: env.ESPEAK_VOICE, speed: env.ESPEAK_SPEED ? Number(env.ESPEAK_SPEED) : undefined };
  const tts = env.TTS_URL
    ? new OpenAiTts({ url: env.TTS_URL, model: env.TTS_MODEL, voice: env.TTS_VOICE, apiKey: env.TTS_API_KEY })
    : offlineTts(env.ESPEAK, espeak);
  const stt = env.STT_URL
    ? new OpenAiStt({ url: env.STT_URL, model: env.STT_MODEL, apiKey: env.STT_API_KEY })
    : new PocketSphinxStt(env.STT_JSGF ? { jsgf: readFileSync(env.STT_JSGF, 'utf8') } : {});
  const llm = env.LLM_URL
    ? new OpenAiLlm({ url: env.LLM_URL, model: env.LLM_MODEL, apiKey: env.LLM_API_KEY })
    : new RuleLlm();
  return { tts, stt, llm };
}

/**
 * espeak-ng: Debian's binary when installed (fast), else the npm WASM build (always there).
 * `ESPEAK=wasm` or `ESPEAK=cli` forces one.
 */
export function offlineTts(which?: string, opts: { voice?: string; speed?: number } = {}) {
  if (which === 'wasm') return new EspeakTts(opts);
  if (which === 'cli' || espeakCliAvailable()) return new EspeakCliTts(opts);
  return new EspeakTts(opts);
}

/** Which implementation each stage uses, for logs (never the keys). */
export function describePlugins(p: Plugins): string {
  return `tts=${p.tts.id} stt=${p.stt.id} llm=${p.llm.id}`;
}

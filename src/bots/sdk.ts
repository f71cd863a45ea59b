/**
 * The Bot SDK: what a bot author writes. A bot is a definition (name, description,
 * capabilities) plus `create(ctx)`, which returns the hooks of one instance (one lobby).
 * The runtime (`runtime.ts`) does the protocol, WebRTC, Opus, resampling, pacing, per-peer
 * VAD, STT and barge-in; hooks only see peers, text, chat and PCM.
 *
 *   export const shout: BotDefinition = {
 *     name: 'shout', description: 'Repeats what you say, loudly', capabilities: ['listen', 'speak'],
 *     create: (ctx) => ({ onUtterance: (peer, text) => ctx.say(`${peer.name} said ${text}`) }),
 *   };
 */
import type { Utterance, VadOptions } from './audio/vad.ts';
import type { PlayResult } from './audio/pacer.ts';
import type { Pcm } from './audio/pcm.ts';
import type { Plugins } from './plugins/types.ts';
import type { BotCapability } from '../protocol/provider.ts';
import type { ChatMessage } from '../protocol/entities.ts';

export type { BotCapability, ChatMessage, Utterance, PlayResult, Pcm };

/** Another participant of the lobby, as the bot sees it. */
export interface Peer {
  id: string;
  name: string;
  isBot: boolean;
}

export interface SayResult extends PlayResult {
  /** Sentences actually sent (all of them unless interrupted). */
  spoken: number;
}

export interface BotContext {
  /** The bot's display name in the lobby. */
  readonly name: string;
  readonly sessionId: string;
  readonly lobbyId: string;
  readonly plugins: Plugins;
  /** Everyone else in the lobby. */
  participants(): Peer[];
  /** Speak text (TTS, sentence by sentence: the first sentence starts playing while the rest synthesise). */
  say(text: string | AsyncIterable<string>, options?: { signal?: AbortSignal }): Promise<SayResult>;
  /** Play PCM (any rate, mono); 48 kHz `Int16Array` when given bare. */
  play(pcm: Pcm | Int16Array): Promise<PlayResult>;
  /** Stop speaking now (what barge-in does). */
  stopSpeaking(): void;
  readonly speaking: boolean;
  sendChat(text: string): Promise<void>;
  /** Leave the lobby and end this instance. */
  leave(reason?: string): Promise<void>;
  log(message: string): void;
  /** Report a failing stage to the lobby as a chat message (rate-limited per stage). */
  reportProblem(stage: string, message: string): Promise<void>;
}

export interface BotHooks {
  /** The bot is in the lobby (WebRTC to the others is being set up). */
  onJoin?(): void | Promise<void>;
  onParticipant?(peer: Peer, change: 'joined' | 'left'): void | Promise<void>;
  /** A participant started speaking (after barge-in was applied). */
  onSpeechStart?(peer: Peer): void | Promise<void>;
  /** One utterance of one participant, as audio (before STT). Defining it does not need STT. */
  onUtteranceAudio?(peer: Peer, utterance: Utterance): void | Promise<void>;
  /** One utterance of one participant, transcribed. Defining it turns STT on. */
  onUtterance?(peer: Peer, text: string, utterance: Utterance): void | Promise<void>;
  /** A chat message from someone else. */
  onChat?(message: ChatMessage): void | Promise<void>;
  onLeave?(): void | Promise<void>;
}

export interface BotDefinition {
  name: string;
  description: string;
  capabilities: BotCapability[];
  /** Hear other bots too (default: humans only, so bots never answer bots, nor themselves). */
  hearBots?: boolean;
  /** Stop speaking when a human starts (default true). */
  bargeIn?: boolean;
  vad?: Partial<VadOptions>;
  create(ctx: BotContext): BotHooks;
}

export function defineBot(def: BotDefinition): BotDefinition {
  return def;
}

/** What a provider hands the runtime for one `spawn`. */
export interface SpawnTarget {
  serverUrl: string;
  token: string;
  lobbyId: string;
  name: string;
}

/** A latency measurement: end of a human utterance → first audio packet of the bot's answer. */
export interface LatencySample {
  bot: string;
  peer: string;
  /** last voiced frame of the human → first packet sent. */
  totalMs: number;
  /** last voiced frame → the segmenter closed the utterance (VAD hangover). */
  vadMs: number;
  /** utterance closed → STT text (0 when the bot did not use STT). */
  sttMs: number;
  /** STT text (or utterance) → first packet: LLM first sentence + TTS + pacing. */
  restMs: number;
}

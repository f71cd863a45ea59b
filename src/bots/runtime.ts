/**
 * Runs one bot instance in one lobby: signaling over `/ws` with the session token, one werift
 * peer connection per participant, per-peer Opus decode → VAD → (STT) → hooks, and one outbound
 * voice (TTS/PCM → 48 kHz → Opus → 20 ms pacer → every peer). Hook errors end the instance
 * (the provider reports and removes it); failing stages (endpoint down) become a chat message.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AudioPacer, type PlayResult } from './audio/pacer.ts';
import { RATE, resample, trimSilence, type Pcm } from './audio/pcm.ts';
import { UtteranceSegmenter, type Utterance } from './audio/vad.ts';
import { pluginsFromEnv, describePlugins } from './plugins/index.ts';
import { StageError, type Plugins } from './plugins/types.ts';
import { PeerLink } from './rtc/peer.ts';
import { sentences } from './sentences.ts';
import { ServerError, SignalingClient } from './signaling.ts';
import type {
  BotContext,
  BotDefinition,
  BotHooks,
  LatencySample,
  Peer,
  SayResult,
  SpawnTarget,
} from './sdk.ts';
import type { ServerFrame } from '../protocol/ws.ts';
import type { ChatMessage, IceServer, Participant } from '../protocol/entities.ts';
import { normalizeDisplayName, NAME_MAX, CHAT_TEXT_MAX } from '../protocol/text-rules.ts';

export interface RunOptions extends SpawnTarget {
  plugins?: Plugins;
  log?(message: string): void;
  onLatency?(sample: LatencySample): void;
}

export interface EndResult {
  reason: string;
  error?: Error;
}

interface Trigger {
  peer: Peer;
  utterance: Utterance;
  /** when the text (or audio) was handed to the hook */
  handedAt: number;
  sttMs: number;
  measured: boolean;
}

interface PeerState {
  info: Peer;
  link?: PeerLink;
  vad?: UtteranceSegmenter;
}

export class BotRuntime {
  readonly def: BotDefinition;
  readonly latencies: LatencySample[] = [];
  /** End of a human utterance → the chat message it caused was accepted by the server (ms). */
  readonly chatLatencies: number[] = [];
  sessionId = '';
  name: string;
  readonly lobbyId: string;
  readonly done: Promise<EndResult>;
  #resolveDone!: (r: EndResult) => void;
  #opts: RunOptions;
  #plugins: Plugins;
  #ownPlugins: boolean;
  #signal!: SignalingClient;
  #hooks: BotHooks = {};
  #peers = new Map<string, PeerState>();
  #pacer: AudioPacer;
  #ended = false;
  #tick: NodeJS.Timeout | undefined;
  #trigger = new AsyncLocalStorage<Trigger>();
  #speakers = new Set<AbortController>();
  #speakingState = false;
  #problems = new Map<string, number>();
  #iceServers: IceServer[] = [];
  #ending = false;

  private constructor(def: BotDefinition, opts: RunOptions) {
    this.def = def;
    this.#opts = opts;
    this.name = opts.name;
    this.lobbyId = opts.lobbyId;
    this.#ownPlugins = !opts.plugins;
    this.#plugins = opts.plugins ?? pluginsFromEnv();
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    this.#pacer = new AudioPacer((packet) => {
      for (const p of this.#peers.values()) p.link?.send(packet);
    });
  }

  /** Connect, join the lobby and start the bot; rejects (ServerError) when it cannot join. */
  static async start(def: BotDefinition, opts: RunOptions): Promise<BotRuntime> {
    const rt = new BotRuntime(def, opts);
    await rt.#connect();
    return rt;
  }

  log(message: string): void {
    (this.#opts.log ?? ((m: string) => console.log(m)))(`[bot ${this.def.name} ${this.name}] ${message}`);
  }

  async #connect(): Promise<void> {
    this.#signal = await SignalingClient.connect({
      serverUrl: this.#opts.serverUrl,
      token: this.#opts.token,
      log: (m) => this.log(m),
    });
    const welcome = this.#signal.welcome;
    this.sessionId = welcome.session.id;
    this.#iceServers = welcome.ice_servers;
    this.#signal.on((frame) => this.#onFrame(frame));
    this.#signal.onClose((code) => this.#onSignalClose(code));
    try {
      if (welcome.session.name !== this.name) await this.#setName();
      const joined = await this.#signal.request('join_lobby', { lobby_id: this.lobbyId });
      if (joined.type === 'lobby_joined') {
        for (const p of joined.data.participants) this.#addParticipant(p);
      }
    } catch (error) {
      await this.#signal.close();
      throw error;
    }
    this.#hooks = this.def.create(this.#context());
    this.#tick = setInterval(() => {
      // after the poll phase, so packets that arrived during a stall are counted first
      setImmediate(() => {
        const now = Date.now();
        for (const p of this.#peers.values()) p.vad?.tick(now);
      });
    }, 100);
    this.log(`joined lobby ${this.lobbyId} as ${this.sessionId} (${describePlugins(this.#plugins)})`);
    void this.#invoke('onJoin', () => this.#hooks.onJoin?.());
  }

  /**
   * The signaling socket closed. Kicked (4003), replaced (4002), refused (4001) or closed by
   * the server on purpose (1000): the bot ends. Anything else (a restart, a network blip):
   * reconnect with the same token within the grace window and rejoin the lobby if the server
   * forgot it. Media keeps flowing meanwhile: the peer connections do not use the socket.
   */
  #onSignalClose(code: number): void {
    if (this.#ending) return;
    if ([1000, 4001, 4002, 4003].includes(code)) {
      void this.#end(
        code === 4003
          ? 'kicked'
          : code === 4002
            ? 'replaced by another connection'
            : `disconnected (${code})`,
      );
      return;
    }
    void this.#reconnect(code);
  }

  async #reconnect(code: number): Promise<void> {
    const deadline = Date.now() + 25_000;
    let delay = 250;
    this.log(`signaling closed (${code}); reconnecting`);
    while (!this.#ending && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 4000);
      let signal: SignalingClient;
      try {
        signal = await SignalingClient.connect({
          serverUrl: this.#opts.serverUrl,
          token: this.#opts.token,
          log: (m) => this.log(m),
        });
      } catch (error) {
        if (error instanceof ServerError && error.code === 'unauthorized') break; // the session is gone
        continue;
      }
      if (this.#ending) {
        await signal.close();
        return;
      }
      this.#signal = signal;
      this.#iceServers = signal.welcome.ice_servers;
      signal.on((frame) => this.#onFrame(frame));
      signal.onClose((c) => this.#onSignalClose(c));
      try {
        if (!(signal.welcome.lobby_ids ?? []).includes(this.lobbyId)) {
          const joined = await signal.request('join_lobby', { lobby_id: this.lobbyId });
          if (joined.type === 'lobby_joined')
            for (const p of joined.data.participants) this.#addParticipant(p);
        }
        this.log('signaling reconnected');
        return;
      } catch (error) {
        void this.#end(`could not rejoin the lobby (${(error as Error).message})`);
        return;
      }
    }
    void this.#end(`disconnected (${code})`);
  }

  async #setName(): Promise<void> {
    const base = normalizeDisplayName(this.name, NAME_MAX) ?? this.def.name;
    for (let i = 1; i <= 5; i++) {
      const candidate = i === 1 ? base : `${base.slice(0, NAME_MAX - 3)} ${i}`;
      try {
        await this.#signal.request('set_name', { name: candidate });
        this.name = candidate;
        return;
      } catch (error) {
        if (!(error instanceof ServerError) || error.code !== 'name_in_use') throw error;
      }
    }
    throw new ServerError('name_in_use', 'no free name for the bot');
  }

  #addParticipant(p: Participant): void {
    if (p.session_id === this.sessionId) return;
    const state = this.#peers.get(p.session_id);
    if (state) {
      state.info.name = p.name;
      state.info.isBot = p.is_bot;
    } else {
      this.#peers.set(p.session_id, { info: { id: p.session_id, name: p.name, isBot: p.is_bot } });
    }
  }

  #peer(id: string, name?: string, isBot?: boolean): PeerState {
    let state = this.#peers.get(id);
    if (!state) {
      state = { info: { id, name: name ?? id, isBot: isBot ?? false } };
      this.#peers.set(id, state);
    }
    if (name) state.info.name = name;
    if (isBot !== undefined) state.info.isBot = isBot;
    return state;
  }

  #onFrame(frame: ServerFrame): void {
    if (this.#ended) return;
    switch (frame.type) {
      case 'add_peer': {
        if (frame.data.lobby_id !== this.lobbyId) return;
        const state = this.#peer(frame.data.peer_id, frame.data.peer_name, frame.data.is_bot);
        this.#closeLink(state);
        const link = this.#link(state);
        if (frame.data.should_create_offer)
          link.makeOffer().catch((e) => this.log(`offer failed: ${(e as Error).message}`));
        return;
      }
      case 'sdp': {
        if (frame.data.lobby_id !== this.lobbyId) return;
        const state = this.#peer(frame.data.peer_id);
        const link = state.link ?? this.#link(state);
        link
          .handleDescription(frame.data.description)
          .catch((e) => this.log(`sdp failed: ${(e as Error).message}`));
        return;
      }
      case 'ice': {
        if (frame.data.lobby_id !== this.lobbyId) return;
        const state = this.#peer(frame.data.peer_id);
        const link = state.link ?? this.#link(state);
        void link.handleCandidate(frame.data.candidate);
        return;
      }
      case 'remove_peer': {
        if (frame.data.lobby_id !== this.lobbyId) return;
        const state = this.#peers.get(frame.data.peer_id);
        if (state) this.#closeLink(state);
        return;
      }
      case 'participant_joined': {
        if (frame.data.lobby_id !== this.lobbyId) return;
        this.#addParticipant(frame.data.participant);
        const state = this.#peers.get(frame.data.participant.session_id);
        if (state)
          void this.#invoke('onParticipant', () => this.#hooks.onParticipant?.(state.info, 'joined'));
        return;
      }
      case 'participant_left': {
        if (frame.data.lobby_id !== this.lobbyId) return;
        const state = this.#peers.get(frame.data.session_id);
        if (!state) return;
        this.#closeLink(state);
        this.#peers.delete(frame.data.session_id);
        void this.#invoke('onParticipant', () => this.#hooks.onParticipant?.(state.info, 'left'));
        return;
      }
      case 'chat_message': {
        if (frame.data.lobby_id !== this.lobbyId || frame.data.sender_id === this.sessionId) return;
        const message: ChatMessage = frame.data;
        void this.#invoke('onChat', () => this.#hooks.onChat?.(message));
        return;
      }
      case 'lobby_closed':
        if (frame.data.lobby_id === this.lobbyId) void this.#end('lobby closed');
        return;
      case 'lobby_left':
        if (frame.data.lobby_id === this.lobbyId) void this.#end('left the lobby');
        return;
      case 'kicked':
        void this.#end('kicked');
        return;
      default:
        return;
    }
  }

  #link(state: PeerState): PeerLink {
    const peerId = state.info.id;
    const link = new PeerLink({
      peerId,
      iceServers: this.#iceServers,
      log: (m) => this.log(m),
      onDescription: (description) =>
        this.#signal.send('relay_sdp', { lobby_id: this.lobbyId, peer_id: peerId, description }),
      onCandidate: (candidate) =>
        this.#signal.send('relay_ice', { lobby_id: this.lobbyId, peer_id: peerId, candidate }),
      onState: (s) => {
        if (s === 'connected' || s === 'failed') this.log(`media with ${state.info.name}: ${s}`);
      },
      wantsAudio: () =>
        this.def.capabilities.includes('listen') && (!state.info.isBot || !!this.def.hearBots),
      onAudio: (samples, at) => {
        state.vad ??= this.#segmenter(state);
        state.vad.push(samples, at);
      },
    });
    state.link = link;
    return link;
  }

  #closeLink(state: PeerState): void {
    state.vad?.flush();
    state.vad = undefined;
    const link = state.link;
    state.link = undefined;
    void link?.close();
  }

  #segmenter(state: PeerState): UtteranceSegmenter {
    return new UtteranceSegmenter(
      {
        onSpeechStart: () => {
          if (this.def.bargeIn !== false && this.#pacer.active && !state.info.isBot) {
            this.log(`barge-in: ${state.info.name} started speaking`);
            this.stopSpeaking();
          }
          void this.#invoke('onSpeechStart', () => this.#hooks.onSpeechStart?.(state.info));
        },
        onUtterance: (utterance) => void this.#utterance(state.info, utterance),
      },
      this.def.vad,
    );
  }

  async #utterance(peer: Peer, utterance: Utterance): Promise<void> {
    if (this.#ended) return;
    if (this.#hooks.onUtteranceAudio) {
      const trigger: Trigger = { peer, utterance, handedAt: Date.now(), sttMs: 0, measured: false };
      await this.#trigger.run(trigger, () =>
        this.#invoke('onUtteranceAudio', () => this.#hooks.onUtteranceAudio?.(peer, utterance)),
      );
    }
    if (!this.#hooks.onUtterance) return;
    const sttStart = Date.now();
    let text: string;
    try {
      text = await this.#plugins.stt.transcribe({ samples: utterance.samples, rate: RATE });
    } catch (error) {
      await this.#stageFailed(error);
      return;
    }
    text = text.trim();
    const sttMs = Date.now() - sttStart;
    this.log(
      `heard ${peer.name} (${Math.round(utterance.samples.length / 48)} ms, stt ${sttMs} ms): ${JSON.stringify(text)}`,
    );
    if (!text || this.#ended) return;
    const trigger: Trigger = { peer, utterance, handedAt: Date.now(), sttMs, measured: false };
    await this.#trigger.run(trigger, () =>
      this.#invoke('onUtterance', () => this.#hooks.onUtterance?.(peer, text, utterance)),
    );
  }

  /** Call a hook; a StageError becomes a chat note, anything else ends the bot as crashed. */
  async #invoke(name: string, fn: () => unknown): Promise<void> {
    if (this.#ended) return;
    try {
      await fn();
    } catch (error) {
      if (this.#ended) return;
      if (error instanceof StageError) return this.#stageFailed(error);
      if ((error as Error)?.name === 'AbortError') return;
      this.log(`crashed in ${name}: ${(error as Error)?.stack ?? String(error)}`);
      await this.#end('crashed', error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #stageFailed(error: unknown): Promise<void> {
    if (error instanceof StageError) {
      const what = { tts: 'speak', stt: 'understand speech', llm: 'think' }[error.stage];
      await this.reportProblem(error.stage, `Sorry, I cannot ${what} right now: ${error.message}`);
    } else if ((error as Error)?.name !== 'AbortError') {
      this.log(`stage failed: ${(error as Error)?.message ?? error}`);
    }
  }

  async reportProblem(stage: string, message: string): Promise<void> {
    const last = this.#problems.get(stage) ?? 0;
    this.log(`problem (${stage}): ${message}`);
    if (Date.now() - last < 30_000) return;
    this.#problems.set(stage, Date.now());
    await this.sendChat(message).catch(() => undefined);
  }

  async sendChat(text: string): Promise<void> {
    const trimmed = [...text.trim()].slice(0, CHAT_TEXT_MAX).join('');
    if (!trimmed || this.#ended) return;
    if (!this.#signal.open) {
      this.log('chat message dropped: signaling is reconnecting');
      return;
    }
    const trigger = this.#trigger.getStore();
    await this.#signal
      .request('send_chat', { lobby_id: this.lobbyId, text: trimmed })
      .then(() => {
        if (!trigger) return;
        const ms = Date.now() - trigger.utterance.lastVoiceAt;
        this.chatLatencies.push(ms);
        this.log(
          `latency ${ms} ms from end of ${trigger.peer.name}'s speech to the chat line (stt ${trigger.sttMs})`,
        );
      })
      .catch((error: ServerError) => {
        // a reply lost to a reconnect is not the bot's fault; a refusal by the server is worth a log line
        this.log(`chat message not sent: ${error.code ?? ''} ${error.message}`);
      });
  }

  stopSpeaking(): void {
    for (const c of this.#speakers) c.abort();
    this.#speakers.clear();
    this.#pacer.stop();
    this.#setSpeaking(false);
  }

  #setSpeaking(speaking: boolean): void {
    if (speaking === this.#speakingState || this.#ended) return;
    this.#speakingState = speaking;
    this.#signal.send('update_state', { lobby_id: this.lobbyId, speaking });
  }

  play(pcm: Pcm | Int16Array): Promise<PlayResult> {
    if (this.#ended || !this.def.capabilities.includes('speak'))
      return Promise.resolve({ interrupted: true });
    const samples = pcm instanceof Int16Array ? pcm : resample(pcm.samples, pcm.rate, RATE);
    const trigger = this.#trigger.getStore();
    this.#setSpeaking(true);
    const result = this.#pacer.play(samples, (at) => {
      if (trigger && !trigger.measured) {
        trigger.measured = true;
        const u = trigger.utterance;
        const sample: LatencySample = {
          bot: this.def.name,
          peer: trigger.peer.name,
          totalMs: at - u.lastVoiceAt,
          vadMs: u.endedAt - u.lastVoiceAt,
          sttMs: trigger.sttMs,
          restMs: at - trigger.handedAt,
        };
        this.latencies.push(sample);
        this.log(
          `latency ${sample.totalMs} ms from end of ${sample.peer}'s speech to first audio packet (vad ${sample.vadMs}, stt ${sample.sttMs}, rest ${sample.restMs})`,
        );
        this.#opts.onLatency?.(sample);
      }
    });
    void result.then(() => {
      if (!this.#pacer.active) this.#setSpeaking(false);
    });
    return result;
  }

  async say(
    input: string | AsyncIterable<string>,
    options: { signal?: AbortSignal } = {},
  ): Promise<SayResult> {
    if (this.#ended || !this.def.capabilities.includes('speak')) return { interrupted: true, spoken: 0 };
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.#speakers.add(controller);
    const plays: Promise<PlayResult>[] = [];
    try {
      for await (const sentence of sentences(input)) {
        if (signal.aborted) break;
        const pcm = await this.#plugins.tts.synthesize(sentence, signal);
        if (signal.aborted) break;
        // TTS pads its output with silence: sending it would only add latency
        const samples = trimSilence(pcm.samples, pcm.rate, -50, plays.length ? 120 : 20);
        plays.push(this.play({ samples, rate: pcm.rate }));
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      this.#speakers.delete(controller);
    }
    const results = await Promise.all(plays);
    const interrupted = signal.aborted || results.some((r) => r.interrupted);
    return {
      interrupted,
      spoken: results.filter((r) => !r.interrupted).length,
      firstPacketAt: results[0]?.firstPacketAt,
    };
  }

  #context(): BotContext {
    const rt = this;
    return {
      get name() {
        return rt.name;
      },
      sessionId: this.sessionId,
      lobbyId: this.lobbyId,
      plugins: this.#plugins,
      participants: () => [...this.#peers.values()].map((p) => ({ ...p.info })),
      say: (text, options) => this.say(text, options),
      play: (pcm) => this.play(pcm),
      stopSpeaking: () => this.stopSpeaking(),
      get speaking() {
        return rt.#pacer.active;
      },
      sendChat: (text) => this.sendChat(text),
      leave: (reason) => this.#end(reason ?? 'left'),
      log: (message) => this.log(message),
      reportProblem: (stage, message) => this.reportProblem(stage, message),
    };
  }

  /** Leave the lobby and end (idempotent). */
  stop(reason = 'stopped'): Promise<EndResult> {
    void this.#end(reason);
    return this.done;
  }

  async #end(reason: string, error?: Error): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    try {
      await this.#hooks.onLeave?.();
    } catch {
      /* ending anyway */
    }
    this.#ended = true;
    if (this.#tick) clearInterval(this.#tick);
    for (const c of this.#speakers) c.abort();
    this.#pacer.close();
    for (const p of this.#peers.values()) {
      p.vad = undefined;
      void p.link?.close();
      p.link = undefined;
    }
    if (this.#signal.open) {
      await this.#signal.request('leave_lobby', { lobby_id: this.lobbyId }).catch(() => undefined);
      await this.#signal.close();
    }
    if (this.#ownPlugins) {
      for (const plugin of Object.values(this.#plugins) as { close?(): void }[]) plugin.close?.();
    }
    this.log(`ended: ${reason}${error ? ` (${error.message})` : ''}`);
    this.#resolveDone({ reason, error });
  }
}

/** Run a bot for one spawn; resolves once it is in the lobby. */
export function runBot(def: BotDefinition, opts: RunOptions): Promise<BotRuntime> {
  return BotRuntime.start(def, opts);
}

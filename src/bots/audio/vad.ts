/**
 * Voice activity detection and utterance segmentation for one stream (one peer).
 *
 * Energy-based with an adaptive noise floor: a 20 ms frame is voiced when it is louder than
 * both an absolute floor and the tracked noise floor plus a margin. Speech starts after a few
 * voiced frames in a row (so clicks do not count) and ends after a hangover of unvoiced frames
 * (so pauses between words do not split a sentence). Each utterance keeps a little pre-roll so
 * the first phoneme is not cut.
 */
import { concat, dbfs, FRAME_MS, FRAME_SAMPLES, rms } from './pcm.ts';

export interface VadOptions {
  /** Never voiced below this level (dBFS). */
  minDb: number;
  /** Voiced when at least this many dB above the noise floor. */
  marginDb: number;
  /** Voiced frames in a row that start an utterance. */
  startFrames: number;
  /** Silence that ends an utterance. */
  hangoverMs: number;
  /** Audio kept from before the start. */
  prerollMs: number;
  /** Utterances shorter than this (voiced part) are dropped as noise. */
  minSpeechMs: number;
  /** An utterance longer than this is cut and delivered. */
  maxUtteranceMs: number;
}

export const DEFAULT_VAD: VadOptions = {
  minDb: -48,
  marginDb: 12,
  startFrames: 3,
  hangoverMs: 500,
  prerollMs: 300,
  minSpeechMs: 200,
  maxUtteranceMs: 20_000,
};

export interface Utterance {
  /** 48 kHz mono. */
  samples: Int16Array;
  /** Wall-clock ms of the first voiced frame. */
  startedAt: number;
  /** Wall-clock ms at which the last voiced frame arrived: the end of the human utterance. */
  lastVoiceAt: number;
  /** Wall-clock ms at which the segmenter decided the utterance was over. */
  endedAt: number;
}

export interface VadEvents {
  onSpeechStart?(at: number): void;
  onUtterance?(utterance: Utterance): void;
}

export class UtteranceSegmenter {
  readonly options: VadOptions;
  #events: VadEvents;
  #pending = new Int16Array(0);
  #noiseDb = -70;
  #run = 0;
  #preroll: Int16Array[] = [];
  #frames: Int16Array[] = [];
  #inSpeech = false;
  #voicedFrames = 0;
  #silentFrames = 0;
  #startedAt = 0;
  #lastVoiceAt = 0;
  #lastFrameAt = 0;

  constructor(events: VadEvents, options: Partial<VadOptions> = {}) {
    this.options = { ...DEFAULT_VAD, ...options };
    this.#events = events;
  }

  get speaking(): boolean {
    return this.#inSpeech;
  }

  get noiseFloorDb(): number {
    return this.#noiseDb;
  }

  /** Feed decoded samples (any length) that arrived at wall-clock `now`. */
  push(samples: Int16Array, now = Date.now()): void {
    let data = samples;
    if (this.#pending.length) {
      data = concat([this.#pending, samples]);
      this.#pending = new Int16Array(0);
    }
    let offset = 0;
    while (offset + FRAME_SAMPLES <= data.length) {
      this.#frame(data.slice(offset, offset + FRAME_SAMPLES), now);
      offset += FRAME_SAMPLES;
    }
    if (offset < data.length) this.#pending = data.slice(offset);
  }

  /**
   * Call periodically: when a stream stops sending (muted, DTX, peer gone), missing time is
   * treated as silence so an utterance in progress still ends.
   */
  tick(now = Date.now()): void {
    if (!this.#inSpeech || !this.#lastFrameAt) return;
    // Short gaps are jitter (or a stall of our own event loop: call this from setImmediate so
    // packets already received are in first); a longer one is a stream that stopped, and its
    // missing time counts as silence.
    const gap = now - this.#lastFrameAt;
    if (gap < 200) return;
    const missing = Math.floor(gap / FRAME_MS) - 2;
    for (let i = 0; i < missing && this.#inSpeech; i++) this.#frame(new Int16Array(FRAME_SAMPLES), now, true);
  }

  /** Deliver what is in progress (e.g. the peer left). */
  flush(now = Date.now()): void {
    if (this.#inSpeech) this.#end(now);
  }

  #frame(frame: Int16Array, now: number, synthetic = false): void {
    if (!synthetic) this.#lastFrameAt = now;
    else this.#lastFrameAt += FRAME_MS;
    const o = this.options;
    const db = dbfs(rms(frame));
    const voiced = db > o.minDb && db > this.#noiseDb + o.marginDb;
    // noise floor: falls fast, rises slowly (and not while voiced)
    if (db < this.#noiseDb) this.#noiseDb = 0.7 * this.#noiseDb + 0.3 * db;
    else if (!voiced) this.#noiseDb = Math.min(this.#noiseDb + 0.05, db);
    else if (!this.#inSpeech) this.#noiseDb += 0.01;

    if (!this.#inSpeech) {
      this.#preroll.push(frame);
      const keep = Math.ceil(o.prerollMs / FRAME_MS) + o.startFrames;
      if (this.#preroll.length > keep) this.#preroll.shift();
      this.#run = voiced ? this.#run + 1 : 0;
      if (this.#run >= o.startFrames) {
        this.#inSpeech = true;
        this.#frames = this.#preroll;
        this.#preroll = [];
        this.#voicedFrames = this.#run;
        this.#silentFrames = 0;
        this.#startedAt = now - (this.#run - 1) * FRAME_MS;
        this.#lastVoiceAt = now;
        this.#events.onSpeechStart?.(now);
      }
      return;
    }
    this.#frames.push(frame);
    if (voiced) {
      this.#voicedFrames++;
      this.#silentFrames = 0;
      this.#lastVoiceAt = synthetic ? this.#lastVoiceAt : now;
    } else {
      this.#silentFrames++;
    }
    if (this.#silentFrames * FRAME_MS >= o.hangoverMs || this.#frames.length * FRAME_MS >= o.maxUtteranceMs) {
      this.#end(now);
    }
  }

  #end(now: number): void {
    const o = this.options;
    // keep ~200 ms of the trailing silence
    const trailing = Math.max(0, this.#silentFrames - Math.ceil(200 / FRAME_MS));
    const frames = this.#frames.slice(0, this.#frames.length - trailing);
    const voicedMs = this.#voicedFrames * FRAME_MS;
    this.#inSpeech = false;
    this.#frames = [];
    this.#run = 0;
    this.#silentFrames = 0;
    if (voicedMs < o.minSpeechMs) return;
    this.#events.onUtterance?.({
      samples: concat(frames),
      startedAt: this.#startedAt,
      lastVoiceAt: this.#lastVoiceAt,
      endedAt: now,
    });
  }
}

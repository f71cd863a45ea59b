/**
 * Outbound audio: a queue of 48 kHz PCM, cut into 20 ms frames, Opus-encoded once, and handed
 * out on a drift-corrected 20 ms clock (deadline = start + n·20 ms, so timer jitter never
 * accumulates). When the queue runs dry the clock stops; on the next start the RTP timestamp
 * jumps by the idle time and the packet carries the marker bit, as a talkspurt should.
 */
import { OpusEncoder } from './opus.ts';
import { FRAME_MS, FRAME_SAMPLES, RATE } from './pcm.ts';

export interface OutboundPacket {
  payload: Buffer;
  /** RTP timestamp (48 kHz clock). */
  timestamp: number;
  marker: boolean;
}

export interface PlayResult {
  /** True when `stop()` (e.g. barge-in) cut it short. */
  interrupted: boolean;
  /** Wall-clock ms of its first packet, if any was sent. */
  firstPacketAt?: number;
}

interface Item {
  samples: Int16Array;
  offset: number;
  firstPacketAt?: number;
  onStart?: (at: number) => void;
  resolve(result: PlayResult): void;
}

export class AudioPacer {
  #encoder = new OpusEncoder();
  #queue: Item[] = [];
  #send: (packet: OutboundPacket) => void;
  #timer: NodeJS.Timeout | undefined;
  #clockStart = 0;
  #frameCount = 0;
  #timestamp = Math.floor(Math.random() * 0xffffffff);
  #lastSentAt = 0;
  #talkspurt = true;
  #closed = false;
  /** Packets sent in total. */
  sent = 0;

  constructor(send: (packet: OutboundPacket) => void) {
    this.#send = send;
  }

  /** True while audio is queued or playing. */
  get active(): boolean {
    return this.#queue.length > 0;
  }

  /** Queue 48 kHz mono samples; resolves when they have been sent or were interrupted. */
  play(samples: Int16Array, onStart?: (at: number) => void): Promise<PlayResult> {
    if (this.#closed) return Promise.resolve({ interrupted: true });
    return new Promise((resolve) => {
      this.#queue.push({ samples, offset: 0, resolve, onStart });
      if (!this.#timer) this.#start();
    });
  }

  /** Drop everything queued (barge-in). */
  stop(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) item.resolve({ interrupted: true, firstPacketAt: item.firstPacketAt });
    this.#halt();
  }

  close(): void {
    this.stop();
    this.#closed = true;
    this.#encoder.close();
  }

  #start(): void {
    const now = performance.now();
    if (this.#lastSentAt) {
      const idleFrames = Math.max(0, Math.round((now - this.#lastSentAt) / FRAME_MS) - 1);
      this.#timestamp = (this.#timestamp + idleFrames * FRAME_SAMPLES) >>> 0;
    }
    this.#talkspurt = true;
    this.#clockStart = now;
    this.#frameCount = 0;
    this.#tick();
  }

  #halt(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    let due = Math.floor((now - this.#clockStart) / FRAME_MS) + 1 - this.#frameCount;
    if (due > 25) {
      // the event loop stalled for over half a second: do not burst, restart the clock
      // (shorter stalls are caught up, so the listener hears no gap)
      this.#clockStart = now;
      this.#frameCount = 0;
      due = 1;
    }
    for (let i = 0; i < due && this.#queue.length; i++) this.#sendFrame();
    if (!this.#queue.length) return;
    const next = this.#clockStart + this.#frameCount * FRAME_MS;
    this.#timer = setTimeout(this.#tick, Math.max(0, next - performance.now()));
  };

  #sendFrame(): void {
    const frame = new Int16Array(FRAME_SAMPLES);
    let filled = 0;
    while (filled < FRAME_SAMPLES && this.#queue.length) {
      const item = this.#queue[0]!;
      if (item.firstPacketAt === undefined) {
        item.firstPacketAt = Date.now();
        item.onStart?.(item.firstPacketAt);
      }
      const take = Math.min(FRAME_SAMPLES - filled, item.samples.length - item.offset);
      frame.set(item.samples.subarray(item.offset, item.offset + take), filled);
      filled += take;
      item.offset += take;
      if (item.offset >= item.samples.length) {
        this.#queue.shift();
        item.resolve({ interrupted: false, firstPacketAt: item.firstPacketAt });
      }
    }
    const payload = this.#encoder.encode(frame);
    this.#send({ payload, timestamp: this.#timestamp, marker: this.#talkspurt });
    this.#talkspurt = false;
    this.#timestamp = (this.#timestamp + FRAME_SAMPLES) >>> 0;
    this.#frameCount++;
    this.#lastSentAt = performance.now();
    this.sent++;
  }
}

export { RATE };

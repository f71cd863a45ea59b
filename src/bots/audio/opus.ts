/**
 * Opus encode/decode at 48 kHz mono, 20 ms frames, on libopus compiled to WASM (the `opusscript`
 * package's native module).
 *
 * We drive the native module directly instead of opusscript's JS wrapper: in opusscript 0.1.1
 * the wrapper views its input buffers through `HEAPU16.subarray(pointer, ...)` with a byte
 * pointer used as a 16-bit index, i.e. at twice the allocated address. With more than one
 * encoder/decoder alive that writes over other allocations (seen here as
 * `celt_encoder.c: assertion failed: !celt_isnan(tmp[0])` and an abort of the whole module).
 * The native `_encode`/`_decode` expect one byte per 16-bit slot (their own convention),
 * which we honour at the right addresses.
 */
import { createRequire } from 'node:module';
import { FRAME_SAMPLES, RATE } from './pcm.ts';

interface Handler {
  _encode(input: number, bytes: number, output: number, frameSize: number): number;
  _decode(input: number, bytes: number, output: number): number;
  _encoder_ctl?(ctl: number, arg: number): number;
}
interface Native {
  OpusScriptHandler: {
    new (rate: number, channels: number, application: number): Handler;
    destroy_handler?(h: Handler): void;
  };
  _malloc(size: number): number;
  _free(pointer: number): void;
  HEAPU8: Uint8Array;
  HEAPU16: Uint16Array;
}

let native: Native | undefined;
function lib(): Native {
  if (!native) {
    const require = createRequire(import.meta.url);
    native = (require('opusscript/build/opusscript_native_wasm.js') as () => Native)();
  }
  return native;
}

const VOIP = 2048;
const MAX_PACKET = 1276 * 3;
const MAX_FRAME = 2880; // 60 ms at 48 kHz
const FRAME_BYTES = FRAME_SAMPLES * 2;

class Codec {
  protected n = lib();
  protected handler: Handler;
  protected pcmPtr: number;
  protected pktPtr: number;
  #closed = false;

  constructor() {
    this.handler = new this.n.OpusScriptHandler(RATE, 1, VOIP);
    // one byte per 16-bit slot: a frame of N bytes needs 2N slots = 4N bytes
    this.pcmPtr = this.n._malloc(MAX_FRAME * 2 * 4);
    this.pktPtr = this.n._malloc(MAX_PACKET);
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.n.OpusScriptHandler.destroy_handler) this.n.OpusScriptHandler.destroy_handler(this.handler);
      else (this.handler as unknown as { delete(): void }).delete();
    } catch {
      /* already gone */
    }
    this.n._free(this.pcmPtr);
    this.n._free(this.pktPtr);
  }
}

export class OpusEncoder extends Codec {
  constructor(bitrate = 32_000) {
    super();
    try {
      this.handler._encoder_ctl?.(4002, bitrate); // OPUS_SET_BITRATE
    } catch {
      /* keep the default */
    }
  }

  /** Encode exactly one 20 ms frame (960 samples). */
  encode(frame: Int16Array): Buffer {
    if (this.closed) throw new Error('encoder is closed');
    if (frame.length !== FRAME_SAMPLES) throw new Error(`an Opus frame is ${FRAME_SAMPLES} samples`);
    const slots = this.n.HEAPU16;
    const base = this.pcmPtr >> 1;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const s = frame[i]! & 0xffff;
      slots[base + 2 * i] = s & 0xff;
      slots[base + 2 * i + 1] = s >> 8;
    }
    const len = this.handler._encode(this.pcmPtr, FRAME_BYTES, this.pktPtr, FRAME_SAMPLES);
    if (len < 0) throw new Error(`Opus encode error ${len}`);
    return Buffer.from(this.n.HEAPU8.slice(this.pktPtr, this.pktPtr + len));
  }
}

export class OpusDecoder extends Codec {
  /** Decode one Opus packet (mono or stereo stream) to 48 kHz mono samples. */
  decode(packet: Buffer): Int16Array {
    if (this.closed) throw new Error('decoder is closed');
    if (packet.length > MAX_PACKET) throw new Error('Opus packet too large');
    this.n.HEAPU8.set(packet, this.pktPtr);
    const len = this.handler._decode(this.pktPtr, packet.length, this.pcmPtr);
    if (len < 0) throw new Error(`Opus decode error ${len}`);
    const slots = this.n.HEAPU16;
    const base = this.pcmPtr >> 1;
    const out = new Int16Array(len);
    for (let i = 0; i < len; i++)
      out[i] = (slots[base + 2 * i]! & 0xff) | ((slots[base + 2 * i + 1]! & 0xff) << 8);
    return out;
  }
}

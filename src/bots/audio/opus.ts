/** Opus encode/decode at 48 kHz mono, 20 ms frames, through opusscript (WASM libopus). */
import OpusScript from 'opusscript';
import { FRAME_SAMPLES, RATE } from './pcm.ts';

export class OpusEncoder {
  #enc = new OpusScript(RATE, 1, OpusScript.Application.VOIP);

  constructor(bitrate = 32_000) {
    try {
      this.#enc.setBitrate(bitrate);
    } catch {
      /* older builds: keep the default */
    }
  }

  /** Encode exactly one 20 ms frame (960 samples). */
  encode(frame: Int16Array): Buffer {
    if (frame.length !== FRAME_SAMPLES) throw new Error(`an Opus frame is ${FRAME_SAMPLES} samples`);
    return Buffer.from(this.#enc.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), FRAME_SAMPLES));
  }

  close(): void {
    this.#enc.delete();
  }
}

export class OpusDecoder {
  #dec = new OpusScript(RATE, 1, OpusScript.Application.VOIP);

  /** Decode one Opus packet (mono or stereo stream) to 48 kHz mono samples. */
  decode(packet: Buffer): Int16Array {
    const out = this.#dec.decode(packet);
    // copy out of the WASM heap view
    return new Int16Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
  }

  close(): void {
    this.#dec.delete();
  }
}

/**
 * PCM helpers: 16-bit signed mono samples in `Int16Array`s, WAV parsing/writing, resampling.
 * The bot's internal rate is 48 kHz (Opus); STT wants 16 kHz; espeak-ng produces 22,050 Hz.
 */

export const RATE = 48_000;
/** 20 ms at 48 kHz: one Opus frame. */
export const FRAME_SAMPLES = 960;
export const FRAME_MS = 20;

export interface Pcm {
  samples: Int16Array;
  rate: number;
}

/** Parse a RIFF/WAVE file (PCM 16-bit, any channel count: channels are averaged to mono). */
export function parseWav(buf: Uint8Array): Pcm {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (o: number) => String.fromCharCode(buf[o]!, buf[o + 1]!, buf[o + 2]!, buf[o + 3]!);
  if (buf.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  let rate = 0;
  let channels = 1;
  let bits = 16;
  while (offset + 8 <= buf.byteLength) {
    const id = tag(offset);
    let size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = view.getUint16(body + 2, true);
      rate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`unsupported WAV sample size ${bits}`);
      // Streamed WAVs (espeak-ng --stdout) carry a bogus size: take what is there.
      if (size === 0 || size === 0xffffffff || body + size > buf.byteLength) size = buf.byteLength - body;
      const frames = Math.floor(size / 2 / channels);
      const out = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += view.getInt16(body + (i * channels + c) * 2, true);
        out[i] = Math.round(sum / channels);
      }
      if (!rate) throw new Error('WAV without fmt chunk');
      return { samples: out, rate };
    }
    offset = body + size + (size & 1);
  }
  throw new Error('WAV without data chunk');
}

/** A mono 16-bit PCM WAV file. */
export function toWav(pcm: Pcm): Buffer {
  const data = pcm.samples.length * 2;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(pcm.rate, 24);
  out.writeUInt32LE(pcm.rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(data, 40);
  Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, data).copy(out, 44);
  return out;
}

/**
 * Resample by linear interpolation; when lowering the rate, a moving-average pre-filter
 * as wide as the ratio keeps aliasing down (good enough for speech and STT).
 */
export function resample(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  let src: Float32Array = Float32Array.from(samples);
  if (to < from) {
    const width = Math.ceil(from / to);
    const filtered = new Float32Array(src.length);
    let acc = 0;
    for (let i = 0; i < src.length; i++) {
      acc += src[i]!;
      if (i >= width) acc -= src[i - width]!;
      filtered[i] = acc / Math.min(i + 1, width);
    }
    // compensate the filter's group delay
    const shift = Math.floor((width - 1) / 2);
    src = filtered.subarray(shift).length ? Float32Array.from(filtered.subarray(shift)) : filtered;
  }
  const outLength = Math.max(0, Math.floor((src.length * to) / from));
  const out = new Int16Array(outLength);
  const step = from / to;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const i0 = Math.floor(pos);
    const frac = pos - i0;
    const a = src[i0] ?? 0;
    const b = src[i0 + 1] ?? a;
    out[i] = clamp16(a + (b - a) * frac);
  }
  return out;
}

export function clamp16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
}

/** Root mean square of the samples, 0..32768. */
export function rms(samples: Int16Array, start = 0, end = samples.length): number {
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const s = samples[i]!;
    sum += s * s;
  }
  return Math.sqrt(sum / (end - start));
}

/** dBFS of an RMS value (−∞ clamped to −100). */
export function dbfs(rmsValue: number): number {
  return rmsValue <= 0 ? -100 : 20 * Math.log10(rmsValue / 32768);
}

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Mix `b` into `a` (same rate), starting at `offsetSamples`; returns a new array long enough for both. */
export function mix(a: Int16Array, b: Int16Array, offsetSamples = 0): Int16Array {
  const out = new Int16Array(Math.max(a.length, offsetSamples + b.length));
  out.set(a);
  for (let i = 0; i < b.length; i++) out[offsetSamples + i] = clamp16(out[offsetSamples + i]! + b[i]!);
  return out;
}

export function silence(ms: number, rate = RATE): Int16Array {
  return new Int16Array(Math.round((ms * rate) / 1000));
}

/** Make any PCM 48 kHz mono. */
export function to48k(pcm: Pcm): Int16Array {
  return resample(pcm.samples, pcm.rate, RATE);
}

/** Drop leading and trailing silence (TTS engines pad their output), keeping `keepMs` of margin. */
export function trimSilence(samples: Int16Array, rate: number, thresholdDb = -50, keepMs = 20): Int16Array {
  const threshold = 32768 * 10 ** (thresholdDb / 20);
  const win = Math.max(1, Math.round(rate / 100)); // 10 ms windows
  let start = 0;
  while (start + win <= samples.length && rms(samples, start, start + win) < threshold) start += win;
  let end = samples.length;
  while (end - win >= start && rms(samples, end - win, end) < threshold) end -= win;
  const keep = Math.round((keepMs * rate) / 1000);
  return samples.subarray(Math.max(0, start - keep), Math.min(samples.length, end + keep));
}

/** Small statistics helpers. */

/** Percentile (0..100) of a sorted array, nearest-rank. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank] as number;
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
}

/** Summarise latencies given in microseconds (only the first `count` entries are used). */
export function summariseMicros(values: Float64Array, count: number): LatencySummary {
  const sorted = values.slice(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] as number;
  return {
    count,
    p50_ms: percentileSorted(sorted, 50) / 1000,
    p99_ms: percentileSorted(sorted, 99) / 1000,
    max_ms: count ? (sorted[count - 1] as number) / 1000 : NaN,
    mean_ms: count ? sum / count / 1000 : NaN,
  };
}

export function median(values: number[]): number {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** A growable array of doubles, for latencies recorded in the hot loop without allocation. */
export class Samples {
  data: Float64Array;
  count = 0;
  constructor(capacity = 1 << 16) {
    this.data = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.count === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.count++] = value;
  }
  summary(): LatencySummary {
    return summariseMicros(this.data, this.count);
  }
}

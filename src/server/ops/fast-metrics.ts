/**
 * Counters and histograms for the per-frame hot path. prom-client's own `labels().inc()` hashes
 * the label object on every call; these keep one pre-allocated slot per label value, so an
 * increment is a Map lookup and a number add, with no allocation. They register in a
 * prom-client Registry like any metric (duck-typed `get()`), and are formatted by it.
 */
import type { Metric, Registry } from 'prom-client';

interface Value {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

abstract class FastMetric {
  readonly aggregator = 'sum';
  abstract readonly type: 'counter' | 'histogram';
  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }
  abstract values(): Value[];
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.values(),
    };
  }
}

export interface CounterSlot {
  n: number;
}

/** A counter with one label; `slot(value)` is bound once and incremented with `slot.n++`. */
export class FastCounter extends FastMetric {
  readonly type = 'counter';
  private readonly slots = new Map<string, CounterSlot>();

  constructor(
    name: string,
    help: string,
    registry: Registry,
    private readonly label: string,
    initial: readonly string[] = [],
  ) {
    super(name, help, registry);
    for (const value of initial) this.slot(value);
  }

  slot(value: string): CounterSlot {
    let slot = this.slots.get(value);
    if (!slot) this.slots.set(value, (slot = { n: 0 }));
    return slot;
  }

  /** The slot of `value` when it was bound before, else `fallback`'s (bounded label set). */
  bound(value: string, fallback: CounterSlot): CounterSlot {
    return this.slots.get(value) ?? fallback;
  }

  values(): Value[] {
    return [...this.slots].map(([value, slot]) => ({ value: slot.n, labels: { [this.label]: value } }));
  }
}

export interface HistogramChild {
  observe(value: number): void;
}

class HistogramSlot implements HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

/** A histogram with one label; `child(value)` is bound once. Buckets are non-cumulative inside. */
export class FastHistogram extends FastMetric {
  readonly type = 'histogram';
  private readonly bounds: Float64Array;
  private readonly slots = new Map<string, HistogramSlot>();

  constructor(
    name: string,
    help: string,
    registry: Registry,
    buckets: readonly number[],
    private readonly label: string,
    initial: readonly string[] = [],
  ) {
    super(name, help, registry);
    this.bounds = Float64Array.from(buckets);
    for (const value of initial) this.child(value);
  }

  child(value: string): HistogramChild {
    let slot = this.slots.get(value);
    if (!slot) this.slots.set(value, (slot = new HistogramSlot(this.bounds)));
    return slot;
  }

  values(): Value[] {
    const out: Value[] = [];
    for (const [value, slot] of this.slots) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += slot.counts[i]!;
        out.push({
          metricName: `${this.name}_bucket`,
          labels: { [this.label]: value, le: this.bounds[i]! },
          value: cumulative,
        });
      }
      out.push({
        metricName: `${this.name}_bucket`,
        labels: { [this.label]: value, le: '+Inf' },
        value: slot.count,
      });
      out.push({ metricName: `${this.name}_sum`, labels: { [this.label]: value }, value: slot.sum });
      out.push({ metricName: `${this.name}_count`, labels: { [this.label]: value }, value: slot.count });
    }
    return out;
  }
}

/**
 * A strict parser of the Prometheus text exposition format (0.0.4), enough to check that
 * `/metrics` is well formed and to read values: every sample belongs to a family declared by a
 * `# TYPE` line, names and labels are valid, values are numbers.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** Sum of the samples named `name` whose labels include `match`. */
  value(name: string, match?: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,\s*|$)/y;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match || match.index !== start) throw new Error(`bad labels in: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return value;
}

export function parsePrometheus(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const parts = line.split(' ');
      if (parts[1] === 'TYPE') {
        if (!NAME.test(parts[2] ?? '')) throw new Error(`bad TYPE line: ${line}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(parts[3] ?? ''))
          throw new Error(`bad type: ${line}`);
        if (types.has(parts[2]!)) throw new Error(`family declared twice: ${line}`);
        types.set(parts[2]!, parts[3]!);
      } else if (parts[1] === 'HELP') {
        if (!NAME.test(parts[2] ?? '')) throw new Error(`bad HELP line: ${line}`);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`bad sample line: ${line}`);
    const name = match[1]!;
    const family = types.has(name)
      ? name
      : SUFFIXES.map((suffix) => (name.endsWith(suffix) ? name.slice(0, -suffix.length) : '')).find((base) =>
          types.has(base),
        );
    if (!family) throw new Error(`sample without a # TYPE: ${line}`);
    samples.push({
      name,
      labels: match[3] ? parseLabels(match[3], line) : {},
      value: parseValue(match[4]!, line),
    });
  }
  return {
    types,
    samples,
    value(name, match = {}) {
      return samples
        .filter(
          (sample) =>
            sample.name === name &&
            Object.entries(match).every(([key, value]) => sample.labels[key] === value),
        )
        .reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}

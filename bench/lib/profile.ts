/**
 * Summary of a V8 `.cpuprofile` (as written by `node --cpu-prof`): where the samples went,
 * by function (self and inclusive) and by origin (this project, ws, zod, node internals, GC).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileWindow {
  /** CLOCK_MONOTONIC µs (V8's profile clock). */
  start_us: number;
  end_us: number;
  /** Frames relayed in the window, to express time per frame. */
  frames?: number;
  /**
   * Main-thread CPU µs per frame measured from /proc over the same window. Samples are
   * counted (not their wall-clock spacing, which grows when the machine is contended) and
   * their shares are scaled to this.
   */
  main_thread_us_per_frame?: number;
}

export interface ProfileRow {
  name: string;
  where: string;
  self_pct: number;
  total_pct: number;
  /** Self and inclusive µs per frame, when the window's frame count is known. */
  self_us_per_frame?: number;
  total_us_per_frame?: number;
}

export interface ProfileSummary {
  file: string;
  /** Set when only the samples of the measured window were counted. */
  window?: ProfileWindow;
  busy_ms: number;
  busy_us_per_frame?: number;
  categories_us_per_frame?: Record<string, number>;
  /** Samples outside `(idle)`; percentages below are of these. */
  busy_samples: number;
  idle_pct_of_all: number;
  categories: Record<string, number>;
  top_self: ProfileRow[];
  top_total: ProfileRow[];
}

function where(url: string, line: number): string {
  if (!url) return '';
  let short = url.replace(/^file:\/\//, '');
  const nm = short.lastIndexOf('node_modules/');
  if (nm >= 0) short = short.slice(nm + 'node_modules/'.length);
  else {
    const src = short.search(/\/(src|bench)\//);
    if (src >= 0) short = short.slice(src + 1);
  }
  return `${short}:${line + 1}`;
}

export function category(name: string, url: string): string {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(program)') return 'program (native, unattributed)';
  if (name === '(idle)') return 'idle';
  if (!url) return 'native/builtin';
  if (url.startsWith('node:')) return 'node internals';
  const nm = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (/\/src\/server\//.test(url)) return 'src/server';
  if (/\/src\/protocol\//.test(url)) return 'src/protocol';
  if (/\/bench\//.test(url)) return 'bench';
  return 'other';
}

export function summariseProfile(file: string, top = 25, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Time per node from the sample stream (µs), cut to the window when one is given.
  const timeOf = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    let t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i] ?? 0;
      const next = profile.timeDeltas[i + 1] ?? 0;
      if (window && (t < window.start_us || t > window.end_us)) continue;
      const id = profile.samples[i]!;
      timeOf.set(id, (timeOf.get(id) ?? 0) + (window?.main_thread_us_per_frame ? 1 : next));
    }
  } else {
    for (const node of profile.nodes) timeOf.set(node.id, (node.hitCount ?? 0) * 1000);
  }
  const key = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'}\t${where(node.callFrame.url, node.callFrame.lineNumber)}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const categories = new Map<string, number>();
  let all = 0;
  let idle = 0;
  // Depth-first walk from the root, with the keys on the current path counted once each.
  const root = profile.nodes[0]!;
  const onPath = new Map<string, number>();
  const stack: { node: ProfileNode; child: number }[] = [{ node: root, child: -1 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.child === -1) {
      const k = key(top.node);
      onPath.set(k, (onPath.get(k) ?? 0) + 1);
      const hits = timeOf.get(top.node.id) ?? 0;
      all += hits;
      const name = top.node.callFrame.functionName;
      if (name === '(idle)') idle += hits;
      else if (hits) {
        self.set(k, (self.get(k) ?? 0) + hits);
        const cat = category(name, top.node.callFrame.url);
        categories.set(cat, (categories.get(cat) ?? 0) + hits);
        for (const pathKey of onPath.keys()) total.set(pathKey, (total.get(pathKey) ?? 0) + hits);
      }
      top.child = 0;
    }
    const children = top.node.children ?? [];
    if (top.child < children.length) {
      const child = byId.get(children[top.child++]!);
      if (child) stack.push({ node: child, child: -1 });
    } else {
      const k = key(top.node);
      const n = (onPath.get(k) ?? 1) - 1;
      if (n) onPath.set(k, n);
      else onPath.delete(k);
      stack.pop();
    }
  }
  const busy = all - idle;
  const pct = (n: number) => Math.round((1000 * n) / Math.max(1, busy)) / 10;
  const frames = window?.frames;
  const scaled = window?.main_thread_us_per_frame;
  const perFrame = (n: number) =>
    scaled !== undefined
      ? Math.round((100 * n * scaled) / Math.max(1, busy)) / 100
      : frames
        ? Math.round((100 * n) / frames) / 100
        : undefined;
  const rows = (map: Map<string, number>): ProfileRow[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k]) => {
        const [name, at] = k.split('\t');
        return {
          name: name!,
          where: at!,
          self_pct: pct(self.get(k) ?? 0),
          total_pct: pct(total.get(k) ?? 0),
          self_us_per_frame: perFrame(self.get(k) ?? 0),
          total_us_per_frame: perFrame(total.get(k) ?? 0),
        };
      });
  const totalRows = new Map([...total.entries()].filter(([k]) => !k.startsWith('(root)')));
  const sortedCategories = [...categories.entries()].sort((a, b) => b[1] - a[1]);
  return {
    file,
    window,
    busy_ms: scaled !== undefined ? NaN : Math.round(busy / 100) / 10,
    busy_us_per_frame: perFrame(busy),
    categories_us_per_frame: frames ? Object.fromEntries(sortedCategories.map(([k, v]) => [k, perFrame(v)!])) : undefined,
    busy_samples: scaled !== undefined ? busy : (profile.samples?.length ?? busy),
    idle_pct_of_all: Math.round((1000 * idle) / Math.max(1, all)) / 10,
    categories: Object.fromEntries(sortedCategories.map(([k, v]) => [k, pct(v)])),
    top_self: rows(self),
    top_total: rows(totalRows),
  };
}

export function formatProfile(summary: ProfileSummary, lines = 15): string {
  const out: string[] = [];
  const w = summary.window;
  const scope = w ? `measured window only${w.frames ? `, ${w.frames} frames` : ''}` : 'whole process lifetime';
  const us = (v: number | undefined) => (v === undefined ? '' : ` ${v.toFixed(2).padStart(6)} µs/frame`);
  const busy = Number.isNaN(summary.busy_ms) ? `${summary.busy_samples} samples` : `${summary.busy_ms} ms busy`;
  out.push(`profile ${summary.file} (${scope}): ${busy}${summary.busy_us_per_frame !== undefined ? `; main thread ${summary.busy_us_per_frame} µs/frame` : ''} (idle ${summary.idle_pct_of_all}%)`);
  const cats = Object.entries(summary.categories).filter(([, v]) => v >= 0.5);
  out.push(`  by origin: ${cats.map(([k, v]) => `${k} ${v}%${summary.categories_us_per_frame ? ` (${summary.categories_us_per_frame[k]} µs)` : ''}`).join(', ')}`);
  out.push('  top self time:');
  for (const row of summary.top_self.slice(0, lines)) out.push(`    ${row.self_pct.toFixed(1).padStart(5)}%${us(row.self_us_per_frame)}  ${row.name}  ${row.where}`);
  out.push('  top inclusive time:');
  for (const row of summary.top_total.slice(0, lines)) out.push(`    ${row.total_pct.toFixed(1).padStart(5)}%${us(row.total_us_per_frame)}  ${row.name}  ${row.where}`);
  return out.join('\n');
}

/**
 * Summarise V8 CPU profiles written by `npm run bench -- --cpu-prof` (or any `node --cpu-prof`):
 *   npx tsx bench/profile.ts bench/results/profiles/voicebot-saturate-run1.cpuprofile [--lines 30] [--json]
 */
import { formatProfile, summariseProfile } from './lib/profile.ts';

const args = process.argv.slice(2);
const linesAt = args.indexOf('--lines');
const lines = linesAt >= 0 ? Number(args[linesAt + 1]) : 25;
const json = args.includes('--json');
const files = args.filter((arg, i) => !arg.startsWith('--') && (linesAt < 0 || i !== linesAt + 1));
if (!files.length) {
  console.error('usage: tsx bench/profile.ts FILE.cpuprofile... [--lines N] [--json]');
  process.exit(1);
}
for (const file of files) {
  const summary = summariseProfile(file, Math.max(lines, 25));
  console.log(json ? JSON.stringify(summary, null, 2) : formatProfile(summary, lines));
}

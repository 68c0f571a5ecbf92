/** A flame summary of a V8 CPU profile (`node --cpu-prof`). */
import { readFileSync } from 'node:fs';
import type { Profiler, Runtime } from 'node:inspector';
import { isRecord } from '../../src/graph/json';

type CallFrame = Runtime.CallFrame;
type ProfileNode = Profiler.ProfileNode;
type CpuProfile = Profiler.Profile & { samples: number[]; timeDeltas: number[] };

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time, ms, without idle. */
  totalMs: number;
  /** Self time by function (`name (file:line)`). */
  functions: ProfileEntry[];
  /** Self time by package / source file / V8 category. */
  areas: ProfileEntry[];
  /** Time with everything called from it, by package / source file (a sample counts once per area). */
  inclusive: ProfileEntry[];
}

const isProfile = (v: unknown): v is CpuProfile => isRecord(v) && Array.isArray(v.nodes) && Array.isArray(v.samples) && Array.isArray(v.timeDeltas);

/** `@apollo/server`, `graphql`, `subgraph http/app.js`, `node:internal/streams`, `(garbage collector)`… */
export function areaOf(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) {
    const parts = url.split('/');
    return parts.length > 2 ? `node:${parts[1]}/${parts[2].replace(/\.js$/, '')}` : url;
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return `subgraph ${url.slice(dist + '/dist/'.length)}`;
  return url.replace(/^file:\/\//, '');
}

function functionKey(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const area = areaOf(frame);
  const file = frame.url.split('/').pop() ?? '';
  return `${name} (${area}${area.endsWith(file) ? '' : ` ${file}`}:${frame.lineNumber + 1})`;
}

function top(map: Map<string, number>, total: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 }));
}

export function summariseProfile(path: string, n = 20): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${path} is not a V8 CPU profile`);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of parsed.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  parsed.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = parsed.timeDeltas[i] ?? 0;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    total += delta;
    add(self, functionKey(node.callFrame), delta);
    add(areas, areaOf(node.callFrame), delta);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (frame !== undefined && frame.functionName !== '(root)') seen.add(areaOf(frame));
    }
    for (const area of seen) add(inclusive, area, delta);
  });
  return { totalMs: total / 1000, functions: top(self, total, n), areas: top(areas, total, n), inclusive: top(inclusive, total, n) };
}

export function formatSummary(summary: ProfileSummary): string {
  const list = (title: string, entries: ProfileEntry[]) => [``, title, ...entries.map((e) => `  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.name}`)];
  return [
    `sampled CPU time (idle excluded): ${summary.totalMs.toFixed(0)} ms`,
    ...list('self time by function:', summary.functions),
    ...list('self time by package / file:', summary.areas),
    ...list('inclusive time by package / file (with everything it calls):', summary.inclusive),
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist-tools/scripts/bench/profile.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(summariseProfile(file, Number(process.argv[3] ?? 25)))}\n`);
}

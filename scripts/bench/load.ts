/**
 * Load from a separate process: the autocannon CLI (closed loop, fixed connections, keep-alive), its JSON result
 * read back. autocannon records latency with 1 ms resolution.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';

export interface LoadSpec {
  url: string;
  /** The request body; several are sent in turn (e.g. one per pool, so that writes do not queue on one pool's lock). */
  body: string | readonly string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  /** Requests answered (any status). */
  total: number;
  /** Answered per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  /** Mean latency, ms. */
  mean: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const AUTOCANNON = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
/** scripts/bench/autocannon-rotate.js, from dist-tools/scripts/bench/ where this file runs compiled. */
const ROTATE = join(__dirname, '..', '..', '..', 'scripts', 'bench', 'autocannon-rotate.js');

function num(record: Record<string, unknown>, key: string): number {
  const value = record[key];
  if (typeof value !== 'number') throw new Error(`autocannon result without a numeric ${key}`);
  return value;
}

function part(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = record[key];
  if (typeof value !== 'object' || value === null) throw new Error(`autocannon result without ${key}`);
  return value as Record<string, unknown>;
}

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const args: string[] = [];
  if (typeof spec.body === 'string') {
    args.push(AUTOCANNON, '-j', '-n', '-c', String(spec.connections), '-d', String(spec.seconds), '-m', 'POST', '-b', spec.body);
    for (const [name, value] of Object.entries(spec.headers)) args.push('-H', `${name}=${value}`);
    args.push(spec.url);
  } else {
    args.push(ROTATE, JSON.stringify({ url: spec.url, bodies: spec.body, headers: spec.headers, connections: spec.connections, seconds: spec.seconds }));
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: (spec.seconds + 60) * 1000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`autocannon failed: ${error.message}\n${stderr}`));
        return;
      }
      try {
        const parsed: unknown = JSON.parse(stdout.trim().split('\n').pop() ?? '');
        if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
        const result = parsed as Record<string, unknown>;
        const requests = part(result, 'requests');
        const latency = part(result, 'latency');
        const total = num(requests, 'total');
        resolve({
          total,
          rps: total / num(result, 'duration'),
          p50: num(latency, 'p50'),
          p99: num(latency, 'p99'),
          mean: num(latency, 'mean'),
          non2xx: num(result, 'non2xx'),
          errors: num(result, 'errors'),
          timeouts: num(result, 'timeouts'),
        });
      } catch (parseError) {
        reject(new Error(`unreadable autocannon output (${String(parseError)}): ${stdout.slice(0, 2000)}`));
      }
    });
  });
}

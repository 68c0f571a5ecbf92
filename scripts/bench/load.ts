/** Load from a separate process: autocannon (closed loop, fixed connections, keep-alive, 1 ms latency resolution). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

export interface LoadSpec {
  url: string;
  /** The request body; several are sent in turn (e.g. one per pool, so that writes do not queue on one pool's lock). */
  body: string | readonly string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

/** `total` counts answers of any status; latencies in ms. */
const LoadResult = z.object({ total: z.number(), rps: z.number(), p50: z.number(), p99: z.number(), mean: z.number(), non2xx: z.number(), errors: z.number(), timeouts: z.number() });
export type LoadResult = z.infer<typeof LoadResult>;

/** scripts/bench/autocannon-rotate.js, from dist-tools/scripts/bench/ where this file runs compiled. */
const ROTATE = join(__dirname, '..', '..', '..', 'scripts', 'bench', 'autocannon-rotate.js');

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const bodies = typeof spec.body === 'string' ? [spec.body] : spec.body;
  const arg = JSON.stringify({ url: spec.url, bodies, headers: spec.headers, connections: spec.connections, seconds: spec.seconds });
  const { stdout } = await promisify(execFile)(process.execPath, [ROTATE, arg], { maxBuffer: 16 * 2 ** 20, timeout: (spec.seconds + 60) * 1000 });
  return LoadResult.parse(JSON.parse(stdout.trim().split('\n').pop() ?? ''));
}

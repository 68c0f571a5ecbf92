/**
 * The `latency` scenario's client: a small closed loop in this process (undici keep-alive pool, a fixed number of
 * connections, each sending its next request when the previous answer has been read), timed with performance.now()
 * to the microsecond, where autocannon has 1 ms resolution. Every answer must be 200 and JSON without `errors`.
 * Then the rounds: the targets take turns, the order rotating every round, and what the subgraph adds over the
 * forwarder is taken per round (same conditions) and its median over the rounds reported.
 */
import { Pool } from 'undici';
import { isRecord } from '../../src/graph/json';
import { median, quantile } from './stats';

export interface LatencyRun {
  requests: number;
  failures: number;
  /** The first failure seen (status and the start of the body), if any. */
  firstFailure?: string;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export interface LatencyLoad {
  /** The full URL to POST to (the subgraph's /graphql or the forwarder's route). */
  url: string;
  /** Sent in turn (e.g. one per pool for the assign: writes to one pool queue on its edit lock). */
  bodies: readonly string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

/** Runs the closed loop for `seconds`; the latency of a request ends when its whole body has been received. */
export async function runLatency(load: LatencyLoad): Promise<LatencyRun> {
  const target = new URL(load.url);
  const pool = new Pool(target.origin, { connections: load.connections, pipelining: 1 });
  const samples: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const deadline = performance.now() + load.seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const body = load.bodies[next++ % load.bodies.length];
      const t0 = performance.now();
      let status = 0;
      let text: string;
      try {
        const res = await pool.request({ path: target.pathname, method: 'POST', headers: load.headers, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
        status = res.statusCode;
        text = await res.body.text();
      } catch (error) {
        text = error instanceof Error ? error.message : String(error);
      }
      const ms = performance.now() - t0;
      if (answeredWell(status, text)) {
        samples.push(ms);
      } else {
        failures++;
        firstFailure ??= `${status} ${text.slice(0, 300)}`;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: load.connections }, worker));
  } finally {
    await pool.close();
  }
  const n = samples.length;
  return {
    requests: n + failures,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
    p50: n > 0 ? quantile(samples, 0.5) : Number.NaN,
    p99: n > 0 ? quantile(samples, 0.99) : Number.NaN,
    mean: n > 0 ? samples.reduce((a, b) => a + b, 0) / n : Number.NaN,
    max: n > 0 ? Math.max(...samples) : Number.NaN,
  };
}

function answeredWell(status: number, text: string): boolean {
  if (status !== 200) return false;
  try {
    const json: unknown = JSON.parse(text);
    return isRecord(json) && json.errors === undefined && isRecord(json.data);
  } catch {
    return false;
  }
}

export interface LatencyTarget {
  name: string;
  isForwarder: boolean;
  /** Where this scenario's requests go for this target. */
  url: string;
}

export interface LatencyRounds {
  bodies: readonly string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  log(line: string): void;
}

export interface LatencySummary {
  name: string;
  runs: LatencyRun[];
  /** Medians over the rounds, ms. */
  p50: number;
  p99: number;
  /** This target's p50 / p99 minus the forwarder's in the same round, median over the rounds (0 for the forwarder). */
  addedP50: number;
  addedP99: number;
  failures: number;
}

const ms = (value: number) => value.toFixed(2).padStart(7);

/** A warm-up of every target, then `rounds` rounds in which the targets take turns (the order rotating). */
export async function latencyRounds(targets: readonly LatencyTarget[], spec: LatencyRounds): Promise<LatencySummary[]> {
  const load = (target: LatencyTarget, seconds: number): LatencyLoad => ({ url: target.url, bodies: spec.bodies, headers: spec.headers, connections: spec.connections, seconds });
  if (spec.warmupSeconds > 0) for (const target of targets) await runLatency(load(target, spec.warmupSeconds));
  const runs = new Map<string, LatencyRun[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < spec.rounds; round++) {
    for (const target of targets.map((_, i) => targets[(i + round) % targets.length])) {
      const run = await runLatency(load(target, spec.seconds));
      runs.get(target.name)?.push(run);
      spec.log(
        `  round ${round + 1} ${target.name.padEnd(26)} ${String(run.requests).padStart(6)} requests  p50 ${ms(run.p50)} ms  p99 ${ms(run.p99)} ms  max ${ms(run.max)} ms` +
          (run.failures > 0 ? `  FAILURES ${run.failures}: ${run.firstFailure ?? ''}` : ''),
      );
    }
  }
  const forwarder = runs.get(targets.find((t) => t.isForwarder)?.name ?? '') ?? [];
  const added = (rs: LatencyRun[], key: 'p50' | 'p99') => median(rs.map((r, i) => r[key] - (forwarder[i]?.[key] ?? Number.NaN)));
  return targets.map((target) => {
    const rs = runs.get(target.name) ?? [];
    return {
      name: target.name,
      runs: rs,
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      addedP50: added(rs, 'p50'),
      addedP99: added(rs, 'p99'),
      failures: rs.reduce((sum, r) => sum + r.failures, 0),
    };
  });
}

/** The sweep: the `sweep` lease holder reads and observes every pool's set within its share of the read budget. */
import { randomUUID } from 'node:crypto';
import { waitFor } from '../coordination/local';
import type { EsimPoolsApi } from '../graph/api';
import { GRAPH_BATCH_LIMIT } from '../graph/batch';
import { isGraphError } from '../graph/errors';
import type { History } from './history';

const SWEEP_LEASE = 'sweep';
const POOLS_PAGE = 100;
/** How long a sweep may hold the lease before another replica may take it over (a sweep longer than the interval). */
const LEASE_MS = 10 * 60_000;
/** Safety bound on pages (100 000 pools). */
const MAX_PAGES = 1000;

export interface SweepOptions {
  intervalMs: number;
  /** The share of the read budget the sweep may use (at least one request per window). */
  readShare: number;
  /** Intune's read budget: requests per window. */
  readBudget: { limit: number; windowMs: number };
  /** Ends a sweep under way (shutdown). */
  signal?: AbortSignal;
}

export interface SweepResult {
  swept: boolean;
  pools: number;
  snapshots: number;
  outsideChanges: number;
  /** Pools whose read failed (left for the next sweep). */
  failed: number;
}

export interface SweepHooks {
  onSweep?(result: SweepResult, seconds: number): void;
  /** Seconds since the last sweep by any replica ended. */
  onLag?(seconds: number): void;
  onError?(error: unknown): void;
}

/** The sweep of one replica: each call sweeps once if it gets the lease (else `swept: false`), every pool read and compared. */
export function sweeper(history: History, graph: EsimPoolsApi, options: SweepOptions, hooks: SweepHooks = {}): () => Promise<SweepResult> {
  const { store } = history;
  const { intervalMs, readBudget, signal } = options;
  /** This replica's name on the lease. */
  const holder = randomUUID();
  /** The sweep's own budget: requests per `readBudget.windowMs`. */
  const limit = Math.max(1, Math.floor(readBudget.limit * options.readShare));
  /** When each of the sweep's last `limit` requests was sent, oldest first. */
  const sent: number[] = [];

  /** Waits until `n` (at most the limit) requests fit in the sweep's sliding window, and counts them as sent now. */
  async function reserve(n: number): Promise<void> {
    const count = Math.min(n, limit);
    // The newest request that must leave the window first: `limit - count` may stay in it.
    const leaving = sent.length - (limit - count) - 1;
    const until = leaving < 0 ? 0 : sent[leaving] + readBudget.windowMs + 1;
    while (Date.now() < until) await waitFor(until - Date.now(), signal);
    const now = Date.now();
    for (let i = 0; i < count; i++) sent.push(now);
    sent.splice(0, sent.length - limit);
  }

  return async () => {
    const startedMs = Date.now();
    const result: SweepResult = { swept: false, pools: 0, snapshots: 0, outsideChanges: 0, failed: 0 };
    const last = await store.leaseCompletedMs(SWEEP_LEASE);
    if (last !== undefined) hooks.onLag?.(Math.max(0, (startedMs - last) / 1000));
    // Held while sweeping (at least the interval, at most LEASE_MS unless the interval is longer), then until the
    // next sweep is due; a holder that dies mid-sweep frees it when that time ends.
    if (!(await store.acquireLease(SWEEP_LEASE, holder, startedMs, Math.max(intervalMs, LEASE_MS)))) return result;
    result.swept = true;
    let next: Parameters<EsimPoolsApi['listPools']>[0]['next'];
    for (let page = 0; page < MAX_PAGES; page++) {
      await reserve(1);
      const pools = await graph.listPools({ top: POOLS_PAGE, next }, { signal });
      const ids = pools.value.flatMap((p) => (isGraphError(p) ? [] : [p.id]));
      for (let i = 0, size = Math.min(GRAPH_BATCH_LIMIT, limit); i < ids.length; i += size) {
        const chunk = ids.slice(i, i + size);
        await reserve(chunk.length);
        const readStartedMs = Date.now();
        const sets = await graph.listAssignmentsOfPools(chunk, { signal });
        for (const [k, set] of sets.entries()) {
          if (set === null) continue; // deleted since it was listed
          if (isGraphError(set)) {
            result.failed++;
            continue;
          }
          result.pools++;
          const seen = await history.observe(chunk[k], set.map((a) => a.target), readStartedMs, 'sweep');
          if (seen === 'snapshot') result.snapshots++;
          if (seen === 'outside-change') result.outsideChanges++;
        }
      }
      if (pools.next === undefined) break;
      next = pools.next;
    }
    const endedMs = Date.now();
    await store.finishLease(SWEEP_LEASE, holder, startedMs + intervalMs, endedMs);
    hooks.onLag?.(0);
    hooks.onSweep?.(result, (endedMs - startedMs) / 1000);
    return result;
  };
}

/**
 * The sweep: every HISTORY_SWEEP_INTERVAL_S, the `sweep` lease holder reads every pool's set and observes it, never
 * using more than HISTORY_SWEEP_READ_SHARE of the read budget (docs/history.md).
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '../coordination/local';
import type { EsimPoolsApi } from '../graph/api';
import { GRAPH_BATCH_LIMIT } from '../graph/batch';
import { isGraphError } from '../graph/errors';
import type { History } from './history';

const SWEEP_LEASE = 'sweep';
/** Pools per page of the pools list. */
const POOLS_PAGE = 100;
/** How long a sweep may hold the lease before another replica may take it over (a sweep longer than the interval). */
const LEASE_MS = 10 * 60_000;
/** Safety bound on pages (100 000 pools). */
const MAX_PAGES = 1000;

export interface SweepOptions {
  intervalMs: number;
  /** The share of the read budget the sweep may use. */
  readShare: number;
  /** Intune's read budget: requests per window (the sweep's own budget is `readShare` of it). */
  readBudget: { limit: number; windowMs: number };
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

/** The sweep's budget: `share` of the read limit per window, at least one request. */
export function sweepBudget(options: Pick<SweepOptions, 'readShare' | 'readBudget'>): { limit: number; windowMs: number } {
  return { limit: Math.max(1, Math.floor(options.readBudget.limit * options.readShare)), windowMs: options.readBudget.windowMs };
}

export class Sweeper {
  /** This replica's name on the lease. */
  private readonly holder = randomUUID();
  private readonly budget: { limit: number; windowMs: number };
  /** What the sweep sent in its window: when, and how many requests. */
  private sent: Array<{ at: number; n: number }> = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly abort = new AbortController();

  constructor(
    private readonly history: History,
    private readonly graph: EsimPoolsApi,
    private readonly options: SweepOptions,
    private readonly hooks: SweepHooks = {},
  ) {
    this.budget = sweepBudget(options);
  }

  /**
   * The sweep's own sliding window (it may wait as long as it likes: nobody waits for it): waits until `n` (at most
   * the limit) requests fit in it together, and counts them as sent now.
   */
  private async reserve(n: number): Promise<void> {
    const { limit, windowMs } = this.budget;
    const count = Math.min(n, limit);
    for (;;) {
      const now = Date.now();
      this.sent = this.sent.filter((s) => s.at > now - windowMs);
      let free = limit - this.sent.reduce((total, s) => total + s.n, 0);
      if (free >= count) {
        this.sent.push({ at: now, n: count });
        return;
      }
      let until = now;
      for (const s of this.sent) {
        free += s.n;
        until = s.at + windowMs;
        if (free >= count) break;
      }
      await waitFor(until - now + 1, this.abort.signal);
    }
  }

  /** Ticks every interval (the first one soon after start, at a random point so replicas do not ask at once). */
  start(): void {
    const tick = (): void => {
      this.running = this.sweepOnce()
        .catch((error: unknown) => this.hooks.onError?.(error))
        .finally(() => {
          if (!this.abort.signal.aborted) this.timer = setTimeout(tick, this.options.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, Math.floor(Math.random() * Math.min(this.options.intervalMs, 10_000))).unref();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep, if this replica gets the lease (else `swept: false`): every pool read and compared. */
  async sweepOnce(): Promise<SweepResult> {
    const store = this.history.store;
    const startedMs = Date.now();
    const result: SweepResult = { swept: false, pools: 0, snapshots: 0, outsideChanges: 0, failed: 0 };
    const last = await store.leaseCompletedMs(SWEEP_LEASE);
    if (last !== undefined) this.hooks.onLag?.(Math.max(0, (startedMs - last) / 1000));
    // Held while sweeping (at least the interval, at most LEASE_MS unless the interval is longer), then until the
    // next sweep is due; a holder that dies mid-sweep frees it when that time ends.
    if (!(await store.acquireLease(SWEEP_LEASE, this.holder, startedMs, Math.max(this.options.intervalMs, LEASE_MS)))) return result;
    result.swept = true;
    const signal = this.abort.signal;
    let next: Parameters<EsimPoolsApi['listPools']>[0]['next'];
    for (let page = 0; page < MAX_PAGES; page++) {
      await this.reserve(1);
      const pools = await this.graph.listPools({ top: POOLS_PAGE, next }, { signal });
      const ids = pools.value.flatMap((p) => (isGraphError(p) ? [] : [p.id]));
      for (let i = 0, size = Math.min(GRAPH_BATCH_LIMIT, this.budget.limit); i < ids.length; i += size) {
        const chunk = ids.slice(i, i + size);
        await this.reserve(chunk.length);
        const readStartedMs = Date.now();
        const sets = await this.graph.listAssignmentsOfPools(chunk, { signal });
        for (const [k, set] of sets.entries()) {
          if (set === null) continue; // deleted since it was listed
          if (isGraphError(set)) {
            result.failed++;
            continue;
          }
          result.pools++;
          const seen = await this.history.observe(chunk[k], set.map((a) => a.target), readStartedMs, 'sweep');
          if (seen === 'snapshot') result.snapshots++;
          if (seen === 'outside-change') result.outsideChanges++;
        }
      }
      if (pools.next === undefined) break;
      next = pools.next;
    }
    const endedMs = Date.now();
    await store.finishLease(SWEEP_LEASE, this.holder, startedMs + this.options.intervalMs, endedMs);
    this.hooks.onLag?.(0);
    this.hooks.onSweep?.(result, (endedMs - startedMs) / 1000);
    return result;
  }
}

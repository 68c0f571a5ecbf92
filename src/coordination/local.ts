/** In-process coordination: right for one replica (a laptop, the tests); several replicas need Redis (docs/scale-out.md). */
import { setTimeout as sleep } from 'node:timers/promises';
import { failures, type BudgetName, type BudgetOptions, type Coordination, type LockLease, type LockOptions, type PoolLocks, type RateBudget } from './types';

/** Waits `ms`, or rejects with an `aborted` CoordinationError when the signal fires first. */
export async function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
  } catch (error) {
    throw signal?.aborted ? failures.aborted() : error;
  }
}

/** Exponential backoff from `minMs` to `maxMs`, with jitter so that replicas do not retry in step. */
export function backoff(attempt: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 10));
  return base / 2 + (Math.random() * base) / 2;
}

/** A sliding-window budget whose waiting requests reserve their slot in order (fair, bounded by time). */
export class LocalRateBudget implements RateBudget {
  /** Send times (ms) of the last `limit` requests, oldest first, including reserved future ones. */
  private readonly times: number[] = [];

  constructor(
    private readonly options: BudgetOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  async take(signal?: AbortSignal): Promise<void> {
    if (!this.enabled) return;
    // Before deciding: a cancelled caller must not reserve a slot it will never use.
    if (signal?.aborted) throw failures.aborted();
    const now = this.now();
    const { limit, windowMs, maxWaitMs } = this.options;
    let at = now;
    if (this.times.length >= limit) at = Math.max(now, this.times[this.times.length - limit] + windowMs);
    const wait = at - now;
    if (wait > maxWaitMs) throw failures.exhausted(wait);
    this.times.push(at);
    if (this.times.length > limit) this.times.splice(0, this.times.length - limit);
    if (wait > 0) await waitFor(wait, signal);
  }
}

/** FIFO mutual exclusion per pool id (compared case-insensitively: Graph ids are GUIDs). */
export class LocalPoolLocks implements PoolLocks {
  /** Per held pool, its waiters' grants, first in line first. */
  private readonly queues = new Map<string, Array<() => void>>();

  /** Pools whose lock is held now (for tests and metrics). */
  get held(): number {
    return this.queues.size;
  }

  async acquire(poolId: string, options: LockOptions): Promise<LockLease> {
    const key = poolId.toLowerCase();
    const queue = this.queues.get(key);
    if (!queue) {
      this.queues.set(key, []);
      return this.lease(key);
    }
    const { signal } = options;
    if (signal?.aborted) throw failures.aborted();
    return new Promise<LockLease>((resolve, reject) => {
      const settle = (end: () => void): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        end();
      };
      const grant = (): void => settle(() => resolve(this.lease(key)));
      const onAbort = (): void => settle(() => reject(failures.aborted()));
      const timer = setTimeout(() => settle(() => reject(failures.lockTimeout())), Math.max(0, options.deadline - Date.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
  }

  private lease(key: string): LockLease {
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const next = this.queues.get(key)?.[0];
        if (next) next(); // the lock passes straight to the next waiter
        else this.queues.delete(key);
      },
    };
  }
}

export type LocalCoordinationOptions = Record<BudgetName, BudgetOptions>;

export function createLocalCoordination(options: LocalCoordinationOptions): Coordination {
  return {
    writes: new LocalRateBudget(options.writes),
    reads: new LocalRateBudget(options.reads),
    locks: new LocalPoolLocks(),
    health: () => ({ backend: 'local', ok: true }),
    connected: async () => true,
    close: async () => undefined,
  };
}

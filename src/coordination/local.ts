/**
 * In-process coordination: right for one replica (a laptop, the tests). With several replicas each would
 * spend Intune's budget as if it were alone and lock only its own edits: use the Redis implementation there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoordinationError,
  type BudgetOptions,
  type Coordination,
  type CoordinationHealth,
  type LockLease,
  type LockOptions,
  type PoolLocks,
  type RateBudget,
} from './types';

/** Whole seconds to wait before retrying, at least 1 (what Retry-After carries). */
export function retryAfter(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Waits `ms`, or rejects with an `aborted` CoordinationError when the signal fires first. */
export async function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
  } catch (error) {
    throw signal?.aborted ? new CoordinationError('The wait was cancelled.', 'aborted') : error;
  }
}

/**
 * A sliding-window budget: the times of the last `limit` requests are kept; a request may go when the oldest
 * of them left the window. Waiting requests reserve their slot in order, so the queue is fair and bounded by time.
 */
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
    if (signal?.aborted) throw new CoordinationError('The wait was cancelled.', 'aborted');
    const now = this.now();
    const { limit, windowMs, maxWaitMs } = this.options;
    let at = now;
    if (this.times.length >= limit) at = Math.max(now, this.times[this.times.length - limit] + windowMs);
    const wait = at - now;
    if (wait > maxWaitMs) throw new CoordinationError('The budget for Microsoft Graph is used up; retry later.', 'budget-exhausted', retryAfter(wait));
    this.times.push(at);
    if (this.times.length > limit) this.times.splice(0, this.times.length - limit);
    if (wait > 0) await waitFor(wait, signal);
  }
}

interface LockWaiter {
  grant: () => void;
}

/** FIFO mutual exclusion per pool id (compared case-insensitively: Graph ids are GUIDs). */
export class LocalPoolLocks implements PoolLocks {
  private readonly queues = new Map<string, LockWaiter[]>();

  /** Pools whose lock is held now (for tests and metrics). */
  get held(): number {
    return this.queues.size;
  }

  acquire(poolId: string, options: LockOptions): Promise<LockLease> {
    const key = poolId.toLowerCase();
    const queue = this.queues.get(key);
    if (!queue) {
      this.queues.set(key, []);
      return Promise.resolve(this.lease(key));
    }
    if (options.signal?.aborted) return Promise.reject(new CoordinationError('The wait was cancelled.', 'aborted'));
    return new Promise<LockLease>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
      };
      const waiter: LockWaiter = {
        grant: () => {
          settle();
          resolve(this.lease(key));
        },
      };
      const timer = setTimeout(
        () => {
          settle();
          reject(new CoordinationError('Another edit of this pool is in progress; retry shortly.', 'lock-timeout', 1));
        },
        Math.max(0, options.deadline - Date.now()),
      );
      const onAbort = (): void => {
        settle();
        reject(new CoordinationError('The wait was cancelled.', 'aborted'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  private lease(key: string): LockLease {
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const queue = this.queues.get(key);
        const next = queue?.[0];
        if (next) next.grant(); // the lock passes straight to the next waiter
        else this.queues.delete(key);
      },
    };
  }
}

export interface LocalCoordinationOptions {
  writes: BudgetOptions;
  reads: BudgetOptions;
}

export function createLocalCoordination(options: LocalCoordinationOptions, now?: () => number): Coordination {
  const health: CoordinationHealth = { backend: 'local', ok: true };
  return {
    backend: 'local',
    writes: new LocalRateBudget(options.writes, now),
    reads: new LocalRateBudget(options.reads, now),
    locks: new LocalPoolLocks(),
    health: () => health,
    connected: async () => true,
    close: async () => undefined,
  };
}

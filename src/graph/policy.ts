/**
 * Client-side limits that keep this replica inside Graph's limits, so that a burst queues briefly or fails fast
 * instead of turning into a storm of 429s:
 * - a bulkhead: at most `maxConcurrent` calls to Graph in flight, a bounded queue with a bounded wait;
 * - a write budget: at most `limit` writes in any `windowMs` (Intune's eSIM write limit is 100 per 20 s per app
 *   per tenant), as a sliding window so that no fixed window on Graph's side can see more.
 * Both refuse with a GraphError of kind `rejected` and status 429 (→ THROTTLED with retryAfterSeconds).
 */
import { GraphError } from './errors';

export interface BulkheadOptions {
  /** Calls in flight at once (0 or Infinity: no limit). */
  maxConcurrent: number;
  /** Calls waiting for a slot; more are refused at once. */
  maxQueue: number;
  /** Longest wait for a slot, in ms. */
  maxWaitMs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
}

function refused(message: string, retryAfterSeconds: number): GraphError {
  return new GraphError(message, { kind: 'rejected', status: 429, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
}

export class Bulkhead {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly options: BulkheadOptions) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves when a slot is free; call the returned function exactly once when done. */
  acquire(signal?: AbortSignal): Promise<() => void> | (() => void) {
    const limit = this.options.maxConcurrent;
    if (!(limit > 0) || limit === Infinity || this.active < limit) {
      this.active++;
      return this.releaser();
    }
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(refused('Too many concurrent calls to Microsoft Graph; retry shortly.', this.options.maxWaitMs / 1000));
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => resolve(this.releaser()),
        reject,
        signal,
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(refused('Timed out waiting for a free connection to Microsoft Graph.', this.options.maxWaitMs / 1000));
        }, this.options.maxWaitMs),
      };
      if (signal) {
        waiter.onAbort = () => {
          this.remove(waiter);
          reject(new GraphError('The call to Microsoft Graph was cancelled.', { kind: 'aborted' }));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(); // the slot passes straight to the next waiter
      } else {
        this.active--;
      }
    };
  }

  private remove(waiter: Waiter): void {
    const index = this.queue.indexOf(waiter);
    if (index >= 0) this.queue.splice(index, 1);
    clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }
}

export interface WriteBudgetOptions {
  /** Writes allowed in any window (0: no budget). */
  limit: number;
  windowMs: number;
  /** Longest a write may wait for budget; a longer wait is refused at once with the time to retry. */
  maxWaitMs: number;
}

/**
 * A sliding-window limiter: the times of the last `limit` writes are kept; a write may go when the oldest of
 * them left the window. Waiting writes reserve their slot in order, so the queue is fair and bounded by time.
 */
export class WriteBudget {
  /** Send times (ms) of the last `limit` writes, oldest first, including reserved future ones. */
  private readonly times: number[] = [];

  constructor(private readonly options: WriteBudgetOptions, private readonly now: () => number = Date.now) {}

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  /** Waits for budget, or throws a `rejected` GraphError when the wait would exceed maxWaitMs. */
  async take(signal?: AbortSignal): Promise<void> {
    if (!this.enabled) return;
    const now = this.now();
    const { limit, windowMs, maxWaitMs } = this.options;
    let at = now;
    if (this.times.length >= limit) at = Math.max(now, this.times[this.times.length - limit] + windowMs);
    const wait = at - now;
    if (wait > maxWaitMs) {
      throw refused('The write budget for Microsoft Graph is used up; retry later.', wait / 1000);
    }
    this.times.push(at);
    if (this.times.length > limit) this.times.splice(0, this.times.length - limit);
    if (wait > 0) await delay(wait, signal);
  }
}

/** Waits `ms`, or rejects with an `aborted` GraphError when the signal fires first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new GraphError('The call to Microsoft Graph was cancelled.', { kind: 'aborted' }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

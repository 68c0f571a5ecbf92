/** At most `maxConcurrent` calls to Graph in flight from this replica, with a bounded queue and a bounded wait. */
import { abortedError, GraphError } from '../errors';
import type { BulkheadOptions } from '../options';

/** A refusal is a 429 with the time to retry (→ THROTTLED with retryAfterSeconds). */
function refused(message: string, retryAfterSeconds: number): GraphError {
  return new GraphError(message, { kind: 'rejected', status: 429, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
}

export class Bulkhead {
  private active = 0;
  /** The waiters in arrival order; each one, called, takes the slot handed to it. */
  private readonly queue = new Set<() => void>();

  constructor(private readonly options: BulkheadOptions) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Resolves when a slot is free; call the returned function exactly once when done. */
  acquire(signal?: AbortSignal): Promise<() => void> | (() => void) {
    const { maxConcurrent: limit, maxQueue, maxWaitMs } = this.options;
    if (!(limit > 0) || limit === Infinity || this.active < limit) {
      this.active++;
      return this.releaser();
    }
    if (this.queue.size >= maxQueue) return Promise.reject(refused('Too many concurrent calls to Microsoft Graph; retry shortly.', maxWaitMs / 1000));
    return new Promise<() => void>((resolve, reject) => {
      const leave = (): void => {
        this.queue.delete(granted);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const granted = (): void => {
        leave();
        resolve(this.releaser());
      };
      const onAbort = (): void => {
        leave();
        reject(abortedError());
      };
      const timer = setTimeout(() => {
        leave();
        reject(refused('Timed out waiting for a free connection to Microsoft Graph.', maxWaitMs / 1000));
      }, maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.add(granted);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.values().next();
      if (next.done === true) this.active--;
      else next.value(); // the slot passes straight to the next waiter
    };
  }
}

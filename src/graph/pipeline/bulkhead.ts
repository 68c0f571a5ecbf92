/** At most `maxConcurrent` calls to Graph in flight from this replica, with a bounded queue and a bounded wait. */
import { abortedError, GraphError } from '../errors';
import type { BulkheadOptions } from '../options';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A refusal is a 429 with the time to retry (→ THROTTLED with retryAfterSeconds). */
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
          reject(abortedError());
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

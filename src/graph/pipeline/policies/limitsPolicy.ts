/** On every attempt the budgets (a $batch counts its items), then a bulkhead slot; a refusal never reaches Graph. */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { isCoordinationError, type RateBudget } from '../../../coordination/types';
import { abortedError, GraphError, toGraphError } from '../../errors';
import type { BulkheadOptions } from '../../options';
import { callOf, type GraphCall } from '../request';

export interface Limits {
  bulkhead: Bulkhead;
  budgets: { writes?: RateBudget; reads?: RateBudget };
}

export function limitsPolicy({ bulkhead, budgets }: Limits): PipelinePolicy {
  return {
    name: 'limitsPolicy',
    async sendRequest(request, next) {
      const call = callOf(request);
      // Writes first: the scarcer budget refuses before any read slot is spent.
      await take(budgets.writes, 'write', call);
      await take(budgets.reads, 'request', call);
      const acquired = bulkhead.acquire(call.signal);
      const release = acquired instanceof Promise ? await acquired : acquired;
      try {
        return await next(request);
      } finally {
        release();
      }
    },
  };
}

async function take(budget: RateBudget | undefined, which: 'write' | 'request', call: GraphCall): Promise<void> {
  const { signal, cost } = call;
  const slots = which === 'write' ? cost.writes : cost.reads;
  if (budget === undefined || !budget.enabled || slots <= 0) return;
  try {
    if (slots === 1) await budget.take(signal);
    else await Promise.all(Array.from({ length: slots }, () => budget.take(signal)));
  } catch (error) {
    throw budgetError(error, which, call.clientRequestId);
  }
}

/** A budget's CoordinationError as the Graph layer's error. */
export function budgetError(error: unknown, which: 'write' | 'request', clientRequestId?: string): GraphError {
  if (!isCoordinationError(error)) return toGraphError(error, clientRequestId);
  switch (error.failure) {
    case 'aborted':
      return abortedError({ clientRequestId });
    case 'unavailable':
      return new GraphError(`The shared ${which} budget for Microsoft Graph cannot be checked; retry shortly.`, {
        kind: 'rejected',
        status: 503,
        code: 'CoordinationUnavailable',
        clientRequestId,
        cause: error,
      });
    case 'budget-exhausted':
    case 'lock-timeout': // not a budget's failure, but "not now, later" all the same
      return new GraphError(`The ${which} budget for Microsoft Graph is used up; retry later.`, {
        kind: 'rejected',
        status: 429,
        retryAfterSeconds: Math.max(1, error.retryAfterSeconds ?? 1),
        clientRequestId,
      });
  }
}

/** A refusal is a 429 with the time to retry (→ THROTTLED with retryAfterSeconds). */
function refused(message: string, retryAfterSeconds: number): GraphError {
  return new GraphError(message, { kind: 'rejected', status: 429, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
}

/** At most `maxConcurrent` calls to Graph in flight from this replica, with a bounded queue and a bounded wait. */
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

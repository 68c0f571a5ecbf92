/** What coordination reports, whichever backend; label values come from fixed sets. */
import { isCoordinationError, type Coordination, type CoordinationFailure, type RateBudget } from './types';

export type BudgetName = 'writes' | 'reads';

/**
 * What is reported (docs/scale-out.md, "Metrics hooks"): each take and acquire with its outcome and wait, a lease found
 * taken over (`lock-lost`), the shared store down (reason as in health()) and up, reads taken locally (`budget-fallback`).
 */
export type CoordinationEvent =
  | { type: 'budget'; budget: BudgetName; outcome: 'granted' | CoordinationFailure; waitedMs: number }
  | { type: 'lock'; outcome: 'acquired' | CoordinationFailure; waitedMs: number }
  | { type: 'lock-lost' }
  | { type: 'store-down'; reason: string }
  | { type: 'store-up' }
  | { type: 'budget-fallback'; budget: BudgetName };

export type CoordinationEventListener = (event: CoordinationEvent) => void;

/** Calls the listener (if any) without letting a faulty one break a request. */
export function emitter(listener: CoordinationEventListener | undefined): CoordinationEventListener {
  return (event) => {
    try {
      listener?.(event);
    } catch {
      // a metrics hook must never decide a request's fate
    }
  };
}

/** Runs `work` and reports how it ended (`success`, or the failure it threw) and how long it took. */
async function timed<T, const S extends string>(work: () => Promise<T>, success: S, report: (outcome: S | CoordinationFailure, waitedMs: number) => void): Promise<T> {
  const started = Date.now();
  try {
    const result = await work();
    report(success, Date.now() - started);
    return result;
  } catch (error) {
    report(isCoordinationError(error) ? error.failure : 'unavailable', Date.now() - started);
    throw error;
  }
}

/** The same coordination, reporting every take and acquire to the listener. */
export function instrument(coordination: Coordination, listener: CoordinationEventListener | undefined): Coordination {
  if (!listener) return coordination;
  const emit = emitter(listener);
  const budget = (inner: RateBudget, name: BudgetName): RateBudget => ({
    enabled: inner.enabled,
    take: async (signal) => {
      if (!inner.enabled) return;
      await timed(() => inner.take(signal), 'granted', (outcome, waitedMs) => emit({ type: 'budget', budget: name, outcome, waitedMs }));
    },
  });
  const { locks } = coordination;
  return {
    ...coordination,
    writes: budget(coordination.writes, 'writes'),
    reads: budget(coordination.reads, 'reads'),
    locks: {
      acquire: (poolId, options) =>
        timed(() => locks.acquire(poolId, options), 'acquired', (outcome, waitedMs) => emit({ type: 'lock', outcome, waitedMs })),
    },
  };
}

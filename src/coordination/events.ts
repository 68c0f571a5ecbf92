/**
 * What coordination reports, whichever backend: every budget take and lock acquisition with its wait, and (Redis)
 * the store going down and up; label values come from fixed sets.
 */
import { isCoordinationError, type Coordination, type CoordinationFailure, type LockLease, type LockOptions, type RateBudget } from './types';

export type BudgetName = 'writes' | 'reads';

export type CoordinationEvent =
  /** One `take()`: `granted` (waitedMs > 0 when it waited for a reserved slot) or the failure it threw. */
  | { type: 'budget'; budget: BudgetName; outcome: 'granted' | CoordinationFailure; waitedMs: number }
  /** One `acquire()`: `acquired` or the failure it threw. */
  | { type: 'lock'; outcome: 'acquired' | CoordinationFailure; waitedMs: number }
  /** A lease was found taken over when renewed or released: its holder outlived the lock's TTL. */
  | { type: 'lock-lost' }
  /** The shared store stopped answering (reason as in health(), never a credential). */
  | { type: 'store-down'; reason: string }
  | { type: 'store-up' }
  /** The reads budget was taken from the local window because the shared store could not answer. */
  | { type: 'budget-fallback'; budget: BudgetName };

export type CoordinationEventListener = (event: CoordinationEvent) => void;

/** Calls the listener without letting a faulty one break a request. */
export function emitter(listener: CoordinationEventListener | undefined): CoordinationEventListener {
  if (!listener) return () => undefined;
  return (event) => {
    try {
      listener(event);
    } catch {
      // a metrics hook must never decide a request's fate
    }
  };
}

function outcomeOf(error: unknown): CoordinationFailure {
  return isCoordinationError(error) ? error.failure : 'unavailable';
}

function instrumentBudget(budget: RateBudget, name: BudgetName, emit: CoordinationEventListener): RateBudget {
  return {
    get enabled() {
      return budget.enabled;
    },
    async take(signal) {
      if (!budget.enabled) return;
      const started = Date.now();
      try {
        await budget.take(signal);
        emit({ type: 'budget', budget: name, outcome: 'granted', waitedMs: Date.now() - started });
      } catch (error) {
        emit({ type: 'budget', budget: name, outcome: outcomeOf(error), waitedMs: Date.now() - started });
        throw error;
      }
    },
  };
}

/** The same coordination, reporting every take and acquire to the listener. */
export function instrument(coordination: Coordination, listener: CoordinationEventListener | undefined): Coordination {
  if (!listener) return coordination;
  const emit = emitter(listener);
  const { locks } = coordination;
  return {
    backend: coordination.backend,
    writes: instrumentBudget(coordination.writes, 'writes', emit),
    reads: instrumentBudget(coordination.reads, 'reads', emit),
    locks: {
      async acquire(poolId: string, options: LockOptions): Promise<LockLease> {
        const started = Date.now();
        try {
          const lease = await locks.acquire(poolId, options);
          emit({ type: 'lock', outcome: 'acquired', waitedMs: Date.now() - started });
          return lease;
        } catch (error) {
          emit({ type: 'lock', outcome: outcomeOf(error), waitedMs: Date.now() - started });
          throw error;
        }
      },
    },
    health: () => coordination.health(),
    connected: (timeoutMs) => coordination.connected(timeoutMs),
    close: () => coordination.close(),
  };
}

/** The coordination layer's entry point: the backend the settings ask for, reporting to the optional event listener. */
import { createLocalCoordination, type LocalCoordinationOptions } from './local';
import type { CoordinationLogger } from './redis';
import { emitter, isCoordinationError, type Coordination, type CoordinationEventListener, type CoordinationFailure } from './types';
import type { BudgetName, RateBudget, RedisSettings } from './types';

/** In process without REDIS_URL; Redis (and ioredis, ~6 MiB of memory, loaded only then) with it. */
export async function createCoordination(
  settings: { redis?: RedisSettings },
  budgets: LocalCoordinationOptions,
  hooks: { logger?: CoordinationLogger; onEvent?: CoordinationEventListener } = {},
): Promise<Coordination> {
  const coordination = settings.redis
    ? (await import('./redis')).createRedisCoordination({ settings: settings.redis, budgets, ...hooks })
    : createLocalCoordination(budgets);
  return instrument(coordination, hooks.onEvent);
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
function instrument(coordination: Coordination, listener: CoordinationEventListener | undefined): Coordination {
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

export * from './types';

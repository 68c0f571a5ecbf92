/**
 * Coordination shared by every replica through one Redis: the budgets and the pool locks, one key per command
 * (docs/scale-out.md, "Keys"). Redis unable to answer: writes and locks throw `unavailable`, reads go local.
 */
import { emitter, type CoordinationEventListener } from './events';
import { LocalRateBudget, type LocalCoordinationOptions } from './local';
import { RedisRateBudget } from './redis-budget';
import { RedisPoolLocks } from './redis-locks';
import { RedisStore, type CoordinationLogger } from './redis-store';
import type { RedisSettings } from './settings';
import type { Coordination } from './types';

export const DEFAULT_LOCK_MAX_HOLD_MS = 120_000;

export interface RedisCoordinationOptions {
  settings: RedisSettings;
  budgets: LocalCoordinationOptions;
  logger?: CoordinationLogger;
  onEvent?: CoordinationEventListener;
  /** How long a live holder keeps renewing a pool lock (default 2 min; 0: never renewed, a lock lasts lockTtlMs). */
  lockMaxHoldMs?: number;
}

export interface RedisCoordination extends Coordination {
  readonly backend: 'redis';
  readonly locks: RedisPoolLocks;
  /** The connection (for tests and diagnostics). */
  readonly store: RedisStore;
}

export function createRedisCoordination(options: RedisCoordinationOptions): RedisCoordination {
  const { settings, budgets, logger } = options;
  const onEvent = options.onEvent ? emitter(options.onEvent) : undefined;
  const store = new RedisStore({ settings, logger, onEvent });
  const locks = new RedisPoolLocks(store, {
    ttlMs: settings.lockTtlMs,
    maxHoldMs: options.lockMaxHoldMs ?? DEFAULT_LOCK_MAX_HOLD_MS,
    logger,
    onEvent,
  });
  return {
    backend: 'redis',
    store,
    writes: new RedisRateBudget(store, { ...budgets.writes, name: 'writes', onEvent }),
    reads: new RedisRateBudget(store, { ...budgets.reads, name: 'reads', onEvent, fallback: new LocalRateBudget(budgets.reads) }),
    locks,
    health: () => ({ backend: 'redis', ...store.health() }),
    connected: (timeoutMs) => store.connected(timeoutMs),
    close: async () => {
      locks.stopAll();
      await store.close();
    },
  };
}

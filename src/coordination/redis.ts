/**
 * Coordination shared by every replica through one Redis: the budgets and the pool locks, one key per command
 * (docs/scale-out.md, "Keys"). Redis unable to answer: writes and locks throw `unavailable`, reads go local.
 */
import type { CoordinationEventListener } from './events';
import { LocalRateBudget, type LocalCoordinationOptions } from './local';
import { redisRateBudget } from './redis-budget';
import { redisPoolLocks, type RedisPoolLocks } from './redis-locks';
import { RedisStore, type CoordinationLogger } from './redis-store';
import type { RedisSettings } from './settings';
import type { Coordination } from './types';

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
}

export function createRedisCoordination({ settings, budgets, logger, onEvent, lockMaxHoldMs }: RedisCoordinationOptions): RedisCoordination {
  const store = new RedisStore(settings, logger, onEvent);
  const locks = redisPoolLocks(store, { ttlMs: settings.lockTtlMs, maxHoldMs: lockMaxHoldMs ?? 120_000, logger, onEvent });
  return {
    backend: 'redis',
    writes: redisRateBudget(store, { ...budgets.writes, name: 'writes', onEvent }),
    reads: redisRateBudget(store, { ...budgets.reads, name: 'reads', onEvent, fallback: new LocalRateBudget(budgets.reads) }),
    locks,
    health: () => ({ backend: 'redis', ...store.health() }),
    connected: (timeoutMs) => store.connected(timeoutMs),
    close: async () => {
      locks.stopAll();
      await store.close();
    },
  };
}

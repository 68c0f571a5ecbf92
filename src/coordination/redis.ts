/**
 * Coordination shared by every replica through one Redis: the write and read budgets (sliding windows on the
 * Redis server's clock) and the per-pool edit locks. Keys (all under the settings' keyPrefix, one key per script
 * call, so they would also work on a Redis Cluster):
 *
 *   <prefix>budget:writes   sorted set, the send times of the last writes (and reserved future slots)
 *   <prefix>budget:reads    the same for requests of any kind
 *   <prefix>lock:<pool id>  string, the holder's random token, with a TTL
 *
 * When Redis cannot answer (down, unreachable, or slower than the command timeout): `writes.take()` and
 * `locks.acquire()` throw `unavailable` at once (at worst after the command timeout), so a write never goes to Graph
 * unbudgeted or unlocked; `reads.take()` falls back to an in-process sliding window with the full limit (see
 * docs/scale-out.md for why not a per-replica share); health() says why. The client reconnects by itself with
 * backoff, and everything is shared again as soon as Redis answers: no restart.
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

/** Per-pool edit locks shared through Redis: a token per holder, a TTL renewed while held, waiters polling (docs/scale-out.md). */
import { randomUUID } from 'node:crypto';
import type { Result } from 'ioredis';
import { backoff, LocalPoolLocks, waitFor } from './local';
import type { RedisStore } from './redis';
import { failures, type LockLease, type LockOptions } from './types';

/** KEYS[1]: the lock; ARGV: the taker's token, the TTL (ms). 1: the lock is (now) this token's; 0: another's. */
const ACQUIRE_LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** KEYS[1]: the lock; ARGV[1]: the holder's token. 1: released; 0: no lock (expired, or released already); -1: another's. */
const RELEASE_LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('DEL', KEYS[1]) end
if holder then return -1 end
return 0
`;

/** KEYS[1]: the lock; ARGV: the token, the TTL (ms). Extends the lock only if that holder still has it. */
const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    acquireLock(key: string, token: string, ttlMs: number): Result<number, Context>;
    releaseLock(key: string, token: string): Result<number, Context>;
    renewLock(key: string, token: string, ttlMs: number): Result<number, Context>;
  }
}

/** A lock lives `lockTtlMs` (the store's settings) unless renewed; `maxHoldMs`: how long a live holder renews it (0: never). */
export function redisPoolLocks(store: RedisStore, maxHoldMs: number) {
  const { logger, emit } = store;
  const ttlMs = store.settings.lockTtlMs;
  /** Orders this replica's waiters per pool, so only one of them polls Redis. */
  const local = new LocalPoolLocks();
  /** The stop() of each lease held; a lease not in it is released (or lost, or closed) and does nothing more. */
  const leases = new Set<() => void>();
  store.client.defineCommand('acquireLock', { numberOfKeys: 1, lua: ACQUIRE_LOCK });
  store.client.defineCommand('releaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
  store.client.defineCommand('renewLock', { numberOfKeys: 1, lua: RENEW_LOCK });

  const lost = (key: string, when: 'renew' | 'release'): void => {
    emit({ type: 'lock-lost' });
    logger?.warn({ lock: key, when }, 'A pool lock had expired and passed to another holder before this one was done');
  };

  /** The lease of a lock just taken, renewed every third of its TTL while held. */
  function hold(key: string, token: string): LockLease {
    const acquiredAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      leases.delete(stop);
    };
    const schedule = (): void => {
      if (!leases.has(stop) || maxHoldMs <= 0 || Date.now() - acquiredAt + ttlMs / 3 >= maxHoldMs) return;
      timer = setTimeout(() => void renew(), ttlMs / 3);
      timer.unref(); // a held lock never keeps the process alive
    };
    const renew = async (): Promise<void> => {
      try {
        const renewed = await store.call((client) => client.renewLock(key, token, ttlMs), { idempotent: true });
        if (renewed !== 1 && leases.has(stop)) {
          stop();
          return lost(key, 'renew');
        }
      } catch {
        // Redis did not answer this time; the lock still has up to two thirds of its TTL: try again next round.
      }
      schedule();
    };
    leases.add(stop);
    schedule();
    return {
      release: async () => {
        if (!leases.has(stop)) return;
        stop();
        try {
          const deleted = await store.call((client) => client.releaseLock(key, token), { idempotent: true });
          // 0 is not told apart from a retried release: only "someone else has it now" is a lock known to be lost.
          if (deleted === -1) lost(key, 'release');
        } catch (error) {
          // Not thrown: the edit is done, and failing its request now would hide its outcome. The lock expires by itself.
          logger?.warn({ err: error, lock: key }, 'Could not release a pool lock; it expires after its TTL');
        }
      },
    };
  }

  async function acquireShared(key: string, { deadline, signal }: LockOptions): Promise<LockLease> {
    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw failures.aborted();
      let reply: number;
      try {
        reply = await store.call((client) => client.acquireLock(key, token, ttlMs), { idempotent: true });
      } catch (error) {
        // A take whose reply never came may have been applied: undo it (best effort), or nobody holds the pool for a TTL.
        store.call((client) => client.releaseLock(key, token), { idempotent: true }).catch(() => undefined);
        throw error;
      }
      if (reply === 1) return hold(key, token);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw failures.lockTimeout();
      await waitFor(Math.min(remaining, backoff(attempt, 10, 100)), signal);
    }
  }

  return {
    /** Leases held by this replica now (for tests and metrics). */
    get held() {
      return leases.size;
    },
    /** Stops every renewal: the locks still held are left to expire (close() comes after in-flight requests end). */
    stopAll() {
      for (const stop of leases) stop();
    },
    async acquire(poolId: string, options: LockOptions): Promise<LockLease> {
      const mine = await local.acquire(poolId, options);
      try {
        const shared = await acquireShared(`${store.settings.keyPrefix}lock:${poolId.toLowerCase()}`, options);
        return { release: () => shared.release().finally(() => mine.release()) };
      } catch (error) {
        await mine.release();
        throw error;
      }
    },
  };
}

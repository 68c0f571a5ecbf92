/**
 * Per-pool edit locks shared through Redis: a random token per acquisition (only its holder releases or renews),
 * a TTL renewed while held up to `maxHoldMs`, waiters queued per replica and polling across replicas with backoff.
 */
import { randomUUID } from 'node:crypto';
import { emitter, type CoordinationEventListener } from './events';
import { LocalPoolLocks, waitFor } from './local';
import type { Result } from 'ioredis';
import type { CoordinationLogger, RedisStore } from './redis-store';
import { CoordinationError, type LockLease, type LockOptions, type PoolLocks } from './types';

/**
 * KEYS[1]: the lock; ARGV[1]: the taker's token, ARGV[2]: the TTL (ms). Takes a free lock; returns 1 when the lock is
 * (now) this token's and 0 when another holds it. Idempotent, so a try whose reply came late can be sent again.
 */
const ACQUIRE_LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * KEYS[1]: the lock; ARGV[1]: the holder's token. Deletes the lock only if that holder still has it. Returns 1
 * (released), 0 (no lock: it expired, or a first try of this release was applied) or -1 (another holder has it).
 */
const RELEASE_LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('DEL', KEYS[1]) end
if holder then return -1 end
return 0
`;

/** KEYS[1]: the lock; ARGV[1]: the token, ARGV[2]: the TTL (ms). Extends the lock only if that holder still has it. */
const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** ACQUIRE_LOCK */
    acquireLock(key: string, token: string, ttlMs: number): Result<unknown, Context>;
    /** RELEASE_LOCK */
    releaseLock(key: string, token: string): Result<unknown, Context>;
    /** RENEW_LOCK */
    renewLock(key: string, token: string, ttlMs: number): Result<unknown, Context>;
  }
}

const POLL_MIN_MS = 10;
const POLL_MAX_MS = 100;

function pollDelay(attempt: number): number {
  const base = Math.min(POLL_MAX_MS, POLL_MIN_MS * 2 ** Math.min(attempt, 10));
  return base / 2 + (Math.random() * base) / 2;
}

export interface RedisPoolLocksOptions {
  /** Lifetime of a lock that is not renewed (its holder died). */
  ttlMs: number;
  /** How long a live holder keeps renewing its lock; 0: never renewed, the lock lasts ttlMs. */
  maxHoldMs: number;
  logger?: CoordinationLogger;
  onEvent?: CoordinationEventListener;
}

class RedisLease {
  private released = false;
  private timer?: NodeJS.Timeout;
  private readonly acquiredAt = Date.now();

  constructor(
    private readonly owner: RedisPoolLocks,
    readonly key: string,
    private readonly token: string,
  ) {
    this.schedule();
  }

  /** Stops renewing (close, or release). The lock itself is left to its TTL. */
  stop(): void {
    this.released = true;
    clearTimeout(this.timer);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.stop();
    this.owner.forget(this);
    try {
      const deleted = await this.owner.store.call((client) => client.releaseLock(this.key, this.token), { idempotent: true });
      // 0 is not told apart from a retried release: only "someone else has it now" is a lock known to be lost.
      if (deleted === -1) this.owner.lost(this.key, 'release');
    } catch (error) {
      // Not thrown: the edit is done, and failing its request now would hide its outcome. The lock expires by itself.
      this.owner.logger?.warn({ err: error, lock: this.key }, 'Could not release a pool lock; it expires after its TTL');
    }
  }

  private schedule(): void {
    const { ttlMs, maxHoldMs } = this.owner.options;
    if (this.released || maxHoldMs <= 0 || Date.now() - this.acquiredAt + ttlMs / 3 >= maxHoldMs) return;
    this.timer = setTimeout(() => void this.renew(), ttlMs / 3);
    this.timer.unref(); // a held lock never keeps the process alive
  }

  private async renew(): Promise<void> {
    if (this.released) return;
    try {
      const renewed = await this.owner.store.call((client) => client.renewLock(this.key, this.token, this.owner.options.ttlMs), { idempotent: true });
      if (renewed !== 1 && !this.released) {
        this.owner.lost(this.key, 'renew');
        this.stop();
        this.owner.forget(this);
        return;
      }
    } catch {
      // Redis did not answer this time; the lock still has up to two thirds of its TTL: try again next round.
    }
    this.schedule();
  }
}

export class RedisPoolLocks implements PoolLocks {
  /** Orders this replica's waiters per pool, so only one of them polls Redis. */
  private readonly local = new LocalPoolLocks();
  private readonly leases = new Set<RedisLease>();
  private readonly emit: CoordinationEventListener;
  readonly logger?: CoordinationLogger;

  constructor(
    readonly store: RedisStore,
    readonly options: RedisPoolLocksOptions,
  ) {
    this.emit = emitter(options.onEvent);
    this.logger = options.logger;
    store.client.defineCommand('acquireLock', { numberOfKeys: 1, lua: ACQUIRE_LOCK });
    store.client.defineCommand('releaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
    store.client.defineCommand('renewLock', { numberOfKeys: 1, lua: RENEW_LOCK });
  }

  /** Leases held by this replica now (for tests and metrics). */
  get held(): number {
    return this.leases.size;
  }

  async acquire(poolId: string, options: LockOptions): Promise<LockLease> {
    const key = `${this.store.keyPrefix}lock:${poolId.toLowerCase()}`;
    const local = await this.local.acquire(poolId, options);
    let shared: RedisLease;
    try {
      shared = await this.acquireShared(key, options);
    } catch (error) {
      await local.release();
      throw error;
    }
    return {
      release: async () => {
        try {
          await shared.release();
        } finally {
          await local.release();
        }
      },
    };
  }

  /** Stops every watchdog: the locks still held are left to expire (close() comes after in-flight requests end). */
  stopAll(): void {
    for (const lease of this.leases) lease.stop();
    this.leases.clear();
  }

  forget(lease: RedisLease): void {
    this.leases.delete(lease);
  }

  lost(key: string, when: 'renew' | 'release'): void {
    this.emit({ type: 'lock-lost' });
    this.logger?.warn({ lock: key, when }, 'A pool lock had expired and passed to another holder before this one was done');
  }

  private async acquireShared(key: string, options: LockOptions): Promise<RedisLease> {
    const token = randomUUID();
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) throw new CoordinationError('The wait was cancelled.', 'aborted');
      let reply: unknown;
      try {
        reply = await this.store.call((client) => client.acquireLock(key, token, this.options.ttlMs), { idempotent: true });
      } catch (error) {
        // The take may have been applied even though its reply never came (a time-out): undo it if so, or the pool
        // would stay locked by nobody for a whole TTL. Best effort; it fails fast as well when Redis is down.
        this.store.call((client) => client.releaseLock(key, token), { idempotent: true }).catch(() => undefined);
        throw error;
      }
      if (reply === 1) {
        const lease = new RedisLease(this, key, token);
        this.leases.add(lease);
        return lease;
      }
      const remaining = options.deadline - Date.now();
      if (remaining <= 0) throw new CoordinationError('Another edit of this pool is in progress; retry shortly.', 'lock-timeout', 1);
      await waitFor(Math.min(remaining, pollDelay(attempt)), options.signal);
    }
  }
}

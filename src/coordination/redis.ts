/** Coordination shared by the replicas through one Redis connection: store, budgets and locks (docs/scale-out.md). */
import { randomUUID } from 'node:crypto';
import { Redis, type Result } from 'ioredis';
import { backoff, LocalPoolLocks, LocalRateBudget, waitFor, type LocalCoordinationOptions } from './local';
import { CoordinationError, emitter, failures, type BudgetName, type BudgetOptions, type Coordination, type RateBudget } from './types';
import type { CoordinationEventListener, LockLease, LockOptions, RedisSettings } from './types';

/** The subset of a pino logger used here (pino's Logger fits). */
export interface CoordinationLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const TIMED_OUT = 'Command timed out';

/** A string field of an error; not `instanceof Error`: socket errors come from Node's realm, not a test sandbox's. */
function fieldOf(error: unknown, key: 'name' | 'message' | 'code'): string | undefined {
  const value: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, key) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A reason for health() and logs from an error, by its code or kind only. */
export function describeRedisError(error: unknown): string {
  const code = fieldOf(error, 'code');
  const message = fieldOf(error, 'message') ?? '';
  const name = typeof error === 'object' && error !== null ? (fieldOf(error, 'name') ?? 'Error') : typeof error;
  if (code !== undefined && /^[A-Z0-9_]{2,40}$/.test(code)) return `redis unreachable: ${code}`;
  if (message === TIMED_OUT) return 'redis slow: command timed out';
  if (message.startsWith('Socket timeout')) return 'redis slow: socket timeout';
  // A Redis error reply starts with its code word (WRONGPASS, NOAUTH, LOADING, OOM…); the rest is not shown.
  const word = /^([A-Z][A-Z_]{1,30})(?:\s|$)/.exec(message)?.[1];
  if (word !== undefined && name === 'ReplyError') return `redis refused: ${word}`;
  return `redis unreachable: ${/^[A-Za-z]{1,40}$/.test(name) ? name : 'error'}`;
}

/**
 * KEYS[1]: sorted set of send times (ms on the server's clock; future scores are reserved slots). ARGV: limit,
 * windowMs, maxWaitMs, member. Returns {1, waitMs} (slot taken) or {0, waitMs} (refused). Idempotent per member.
 */
const TAKE_SLOT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- a second try of a take whose first try was applied (its reply came late): the slot it already has
local taken = redis.call('ZSCORE', KEYS[1], ARGV[4])
if taken then return {1, math.max(0, tonumber(taken) - now)} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local at = now
if count >= limit then
  -- the slot frees when the request 'limit' places back leaves the window
  local entry = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  at = math.max(now, tonumber(entry[2]) + window)
end
local wait = at - now
if wait > maxWait then return {0, wait} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
-- only the last 'limit' entries can ever decide a slot: keep the set that small
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
redis.call('PEXPIRE', KEYS[1], wait + window + 1000)
return {1, wait}
`;

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
    takeSlot(key: string, limit: number, windowMs: number, maxWaitMs: number, member: string): Result<[granted: 0 | 1, waitMs: number], Context>;
    acquireLock(key: string, token: string, ttlMs: number): Result<number, Context>;
    releaseLock(key: string, token: string): Result<number, Context>;
    renewLock(key: string, token: string, ttlMs: number): Result<number, Context>;
  }
}

/** The scripts by the command name each is defined as on the client. */
const SCRIPTS = { takeSlot: TAKE_SLOT, acquireLock: ACQUIRE_LOCK, releaseLock: RELEASE_LOCK, renewLock: RENEW_LOCK };

class RedisStore {
  readonly client: Redis;
  private lastError?: string;
  /** Set when a command timed out on a connection that still looks ready; cleared by the next reply. */
  private slow = false;
  /** What was last reported (store-up / store-down), so that a long outage is logged once, not per retry. */
  private reported?: 'up' | 'down';
  private closed = false;

  constructor(
    readonly settings: RedisSettings,
    readonly logger: CoordinationLogger | undefined,
    /** Called safely (emitter()). */
    readonly emit: CoordinationEventListener,
  ) {
    this.client = new Redis({
      host: settings.host,
      port: settings.port,
      username: settings.username,
      password: settings.password,
      db: settings.db,
      tls: settings.tls ? {} : undefined,
      connectionName: 'esim-pools-subgraph',
      commandTimeout: settings.commandTimeoutMs,
      // A hung server (not a closed one) shows up as a socket with replies overdue: drop it and reconnect.
      socketTimeout: Math.max(2000, settings.commandTimeoutMs * 4),
      connectTimeout: Math.max(1000, settings.commandTimeoutMs * 4),
      // On close, how long an ending socket may linger before it is destroyed (its timer outlives the socket).
      disconnectTimeout: settings.commandTimeoutMs,
      // Fail fast, never queue or resend (docs/scale-out.md, "When Redis is down or slow").
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) => backoff(times, 50, 2000),
    });
    for (const [name, lua] of Object.entries(SCRIPTS)) this.client.defineCommand(name, { numberOfKeys: 1, lua });
    this.client.on('ready', () => this.refresh());
    this.client.on('error', (error: unknown) => {
      this.lastError = describeRedisError(error);
      this.refresh();
    });
    this.client.on('close', () => {
      // A server that shut down cleanly closes without an error event.
      this.lastError ??= 'redis unreachable: connection closed';
      this.refresh();
    });
    this.client.on('end', () => this.refresh());
  }

  /** Whether a command can be sent now (else it would fail at once). */
  get ready(): boolean {
    return !this.closed && this.client.status === 'ready';
  }

  /** Resolves true once the connection is ready (at once if it is), false when not after `timeoutMs` or closed. */
  connected(timeoutMs: number): Promise<boolean> {
    if (this.ready || this.closed) return Promise.resolve(this.ready);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.client.off('ready', done).off('end', done);
        resolve(this.ready);
      };
      const timer = setTimeout(done, timeoutMs);
      this.client.on('ready', done).on('end', done);
    });
  }

  health(): { ok: boolean; reason?: string } {
    if (this.closed) return { ok: false, reason: 'redis connection closed' };
    if (this.client.status !== 'ready') return { ok: false, reason: this.lastError ?? 'redis connecting' };
    if (this.slow) return { ok: false, reason: 'redis slow: command timed out' };
    return { ok: true };
  }

  /**
   * Runs one command; any failure becomes an `unavailable` CoordinationError. `idempotent`: sent once more after a
   * late reply on a connection not yet known slow (docs/scale-out.md, "One late reply is tried again").
   */
  async call<T>(command: (client: Redis) => Promise<T>, options: { idempotent?: boolean } = {}): Promise<T> {
    if (!this.ready) throw this.unavailable();
    let retry = options.idempotent === true && !this.slow;
    for (;;) {
      try {
        const reply = await command(this.client);
        if (this.slow) {
          // A reply came: a store that was slow answers again.
          this.slow = false;
          this.refresh();
        }
        return reply;
      } catch (error) {
        if (fieldOf(error, 'message') !== TIMED_OUT) throw this.unavailable(error);
        if (!retry || !this.ready) {
          this.slow = true;
          this.lastError = describeRedisError(error);
          this.refresh();
          throw this.unavailable(error);
        }
        retry = false; // not reported as slow yet: the second try tells
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // QUIT lets in-flight replies arrive; bounded by the command timeout like any other command.
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined);
    // Also cancels a pending reconnect, which QUIT on a reconnecting client leaves scheduled.
    this.client.disconnect();
  }

  private unavailable(cause?: unknown): CoordinationError {
    const reason = cause === undefined ? (this.health().reason ?? 'redis unreachable') : describeRedisError(cause);
    return new CoordinationError(`The shared coordination store cannot answer (${reason}); nothing was decided.`, 'unavailable', undefined, { cause });
  }

  private refresh(): void {
    if (this.closed) return;
    const health = this.health();
    const url = this.settings.displayUrl;
    if (health.ok) {
      if (this.reported === 'up') return;
      const recovered = this.reported === 'down';
      this.reported = 'up';
      this.lastError = undefined;
      this.emit({ type: 'store-up' });
      this.logger?.info({ url }, recovered ? 'Redis answers again: shared budgets and locks are back' : 'Connected to Redis');
      return;
    }
    // Still connecting for the first time, with no failure yet: nothing to report.
    if (this.reported === 'down' || this.lastError === undefined) return;
    this.reported = 'down';
    const reason = health.reason ?? this.lastError;
    this.emit({ type: 'store-down', reason });
    this.logger?.warn({ url, reason }, 'Redis cannot answer: writes and pool locks are refused, reads use the local window');
  }
}

/** A budget deciding as LocalRateBudget does; `fallback`: taken instead when Redis cannot answer (reads), else `unavailable`. */
function redisRateBudget(store: RedisStore, name: BudgetName, options: BudgetOptions, fallback?: RateBudget): RateBudget {
  const { limit, windowMs, maxWaitMs } = options;
  const key = `${store.settings.keyPrefix}budget:${name}`;
  /** Members are unique across replicas and takes. */
  const memberPrefix = randomUUID();
  let sequence = 0;
  return {
    enabled: limit > 0,
    async take(signal) {
      if (limit <= 0) return;
      if (signal?.aborted) throw failures.aborted();
      let granted: number, waitMs: number;
      try {
        const member = `${memberPrefix}:${++sequence}`;
        [granted, waitMs] = await store.call((client) => client.takeSlot(key, limit, windowMs, maxWaitMs, member), { idempotent: true });
      } catch (error) {
        if (!fallback) throw error;
        store.emit({ type: 'budget-fallback', budget: name });
        return fallback.take(signal);
      }
      if (granted !== 1) throw failures.exhausted(waitMs);
      if (waitMs > 0) await waitFor(waitMs, signal);
    },
  };
}

/** A lock lives `lockTtlMs` (the store's settings) unless renewed; `maxHoldMs`: how long a live holder renews it (0: never). */
function redisPoolLocks(store: RedisStore, maxHoldMs: number) {
  const { logger, emit } = store;
  const ttlMs = store.settings.lockTtlMs;
  /** Orders this replica's waiters per pool, so only one of them polls Redis. */
  const local = new LocalPoolLocks();
  /** The stop() of each lease held; a lease not in it is released (or lost, or closed) and does nothing more. */
  const leases = new Set<() => void>();

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

export type RedisCoordination = ReturnType<typeof createRedisCoordination>;

/** `lockMaxHoldMs`: how long a live holder keeps renewing a pool lock (default 2 min; 0: never, a lock lasts lockTtlMs). */
export function createRedisCoordination({ settings, budgets, logger, onEvent, lockMaxHoldMs = 120_000 }: {
  settings: RedisSettings;
  budgets: LocalCoordinationOptions;
  logger?: CoordinationLogger;
  onEvent?: CoordinationEventListener;
  lockMaxHoldMs?: number;
}) {
  const store = new RedisStore(settings, logger, emitter(onEvent));
  const locks = redisPoolLocks(store, lockMaxHoldMs);
  return {
    writes: redisRateBudget(store, 'writes', budgets.writes),
    reads: redisRateBudget(store, 'reads', budgets.reads, new LocalRateBudget(budgets.reads)),
    locks,
    health: () => ({ backend: 'redis', ...store.health() }),
    connected: (timeoutMs) => store.connected(timeoutMs),
    close: async () => {
      locks.stopAll();
      await store.close();
    },
  } satisfies Coordination;
}

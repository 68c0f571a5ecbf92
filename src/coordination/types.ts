/** What the replicas share to behave as one service (Intune's budgets, per-pool edit locks), in process or in Redis. */

/** Window full past the wait allowed; lock not free by the deadline; the store cannot answer (nothing decided); signal. */
export type CoordinationFailure = 'budget-exhausted' | 'lock-timeout' | 'unavailable' | 'aborted';

export type BudgetName = 'writes' | 'reads';

/** What is reported: each take and acquire, a lease lost, the store down and up, reads taken locally (docs/scale-out.md). */
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

const COORDINATION_ERROR_BRAND = Symbol.for('esim-pools-subgraph.CoordinationError');

export class CoordinationError extends Error {
  override readonly name = 'CoordinationError';
  readonly [COORDINATION_ERROR_BRAND] = true;

  constructor(
    message: string,
    readonly failure: CoordinationFailure,
    /** When it makes sense to try again (whole seconds, at least 1), for budget and lock failures. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCoordinationError(error: unknown): error is CoordinationError {
  return typeof error === 'object' && error !== null && COORDINATION_ERROR_BRAND in error && error[COORDINATION_ERROR_BRAND] === true;
}

/** The failures both backends throw, worded once. */
export const failures = {
  aborted: () => new CoordinationError('The wait was cancelled.', 'aborted'),
  /** `waitMs` until a slot frees, as whole seconds (at least 1) in retryAfterSeconds. */
  exhausted: (waitMs: number) =>
    new CoordinationError('The budget for Microsoft Graph is used up; retry later.', 'budget-exhausted', Math.max(1, Math.ceil(waitMs / 1000))),
  lockTimeout: () => new CoordinationError('Another edit of this pool is in progress; retry shortly.', 'lock-timeout', 1),
};

export interface BudgetOptions {
  /** Requests allowed in any window of `windowMs` (0: no budget). */
  limit: number;
  windowMs: number;
  /** Longest a request may wait for a slot; a longer wait is refused at once with the time to retry. */
  maxWaitMs: number;
}

/** A sliding-window budget. */
export interface RateBudget {
  readonly enabled: boolean;
  /** Waits for a slot; throws a CoordinationError (`budget-exhausted`, `unavailable` or `aborted`). */
  take(signal?: AbortSignal): Promise<void>;
}

export interface LockLease {
  /** Releases the lock if this holder still owns it; a lock that expired and went to another holder is left alone. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Epoch ms: the wait ends with `lock-timeout` at this time. */
  deadline: number;
  signal?: AbortSignal;
}

/** Per-pool mutual exclusion for edits; a lock whose holder died expires after its TTL. */
export interface PoolLocks {
  /** Waits for the pool's edit lock; throws a CoordinationError (`lock-timeout`, `unavailable` or `aborted`). */
  acquire(poolId: string, options: LockOptions): Promise<LockLease>;
}

export interface CoordinationHealth {
  backend: 'local' | 'redis';
  ok: boolean;
  /** Why not ok (e.g. `redis unreachable: ECONNREFUSED`), never a credential. */
  reason?: string;
}

export interface Coordination {
  /** Intune's write budget (POST/PATCH/DELETE and the assign action). */
  readonly writes: RateBudget;
  /** Intune's budget for requests of any kind. */
  readonly reads: RateBudget;
  readonly locks: PoolLocks;
  health(): CoordinationHealth;
  /** Waits (at most `timeoutMs`) for the shared store's first connection; true when it answers (at once in process). */
  connected(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Runs `fn` holding the pool's edit lock; the lock is released however `fn` ends. */
export async function withPoolLock<T>(locks: PoolLocks, poolId: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lease = await locks.acquire(poolId, options);
  try {
    return await fn();
  } finally {
    await lease.release();
  }
}

/** The shared store's settings, as src/config parses them from REDIS_*. */
export interface RedisSettings {
  host: string;
  port: number;
  /** `rediss://`: TLS, with the host name checked against the certificate. */
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
  /** The URL for logs and health: the password replaced by `***`. */
  displayUrl: string;
  /** Prepended to every key: `<REDIS_KEY_PREFIX>:<tenant id>:<client id>:` (Intune counts per app per tenant). */
  keyPrefix: string;
  /** How long a pool lock lives without being renewed: a dead holder's lock is free again after this. */
  lockTtlMs: number;
  /** Longest wait for any one Redis reply; past it the call fails with `unavailable` (or reads go local). */
  commandTimeoutMs: number;
}

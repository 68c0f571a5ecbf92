/** What the replicas share to behave as one service (Intune's budgets, per-pool edit locks), in process or in Redis. */

export type CoordinationFailure =
  /** The sliding window is full for longer than the caller may wait. */
  | 'budget-exhausted'
  /** The pool's edit lock was not free before the caller's deadline. */
  | 'lock-timeout'
  /** The shared store (Redis) cannot answer: nothing was decided, nothing should be written. */
  | 'unavailable'
  /** The caller's signal fired while waiting. */
  | 'aborted';

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

export type CoordinationBackend = 'local' | 'redis';

export interface CoordinationHealth {
  backend: CoordinationBackend;
  ok: boolean;
  /** Why not ok (e.g. `redis unreachable: ECONNREFUSED`), never a credential. */
  reason?: string;
}

export interface Coordination {
  readonly backend: CoordinationBackend;
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

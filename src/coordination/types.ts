/**
 * What the replicas must share to behave as one service: Intune's request budgets and the per-pool edit locks.
 * One interface, in process (`local.ts`) or through Redis; nothing here knows Graph or GraphQL.
 */

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

export interface BudgetOptions {
  /** Requests allowed in any window of `windowMs` (0: no budget). */
  limit: number;
  windowMs: number;
  /** Longest a request may wait for a slot; a longer wait is refused at once with the time to retry. */
  maxWaitMs: number;
}

/** A sliding-window budget (a fixed window would let up to twice the limit through around its edge). */
export interface RateBudget {
  readonly enabled: boolean;
  /**
   * Waits for a slot. Throws a CoordinationError: `budget-exhausted` (with retryAfterSeconds) when the wait
   * would pass maxWaitMs, `unavailable` when the shared store cannot answer, `aborted` when the signal fires.
   */
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
  /**
   * Waits for the pool's edit lock. Throws a CoordinationError: `lock-timeout` (with retryAfterSeconds) when the
   * deadline comes first, `unavailable` when the shared store cannot answer, `aborted` when the signal fires.
   */
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
  /**
   * Waits (at most `timeoutMs`) for the shared store's first connection; true when it answers (at once in
   * process). A replica calls it before it listens, so that its first writes are not refused for want of Redis.
   */
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

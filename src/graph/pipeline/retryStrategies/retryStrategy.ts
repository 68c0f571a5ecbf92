/**
 * The retry rules of every Graph call, in one place: the retry policy applies them to single calls and the $batch
 * layer to each item of a batch, so a throttled item is treated exactly like a throttled call.
 *
 * Retried: 429, 503 and 504 replies and connection failures that happened before any reply, like Graph's own SDKs
 * (at most `maxRetries`). Other statuses are not retried: 500/507 and 4xx would fail again.
 *
 * Why repeating is safe: most calls this client makes are reads, the `assign` action (which REPLACES the pool's
 * whole assignment set with the one sent: sending the same set twice leaves the same state) or a PATCH of a pool's
 * name (the same). A create and a delete are not repeatable (`GraphRequest.repeatable`): after a lost reply or a
 * 503/504, Graph may have acted, and a repeat would make a second pool (or report the deleted pool as missing).
 * They are repeated after a 429 only, which is Graph refusing the request unprocessed.
 *
 * A retry whose wait would pass the call's deadline is not attempted: the last error is returned at once instead,
 * with the wait it would have needed.
 */
import type { GraphError } from '../../errors';
import type { ResponseHeaders } from '../types';

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

/** What a strategy sees of the last attempt: Graph's reply, or the failure when there was none. */
export interface RetryInformation {
  /** Retries so far (0 after the first attempt). */
  retryCount: number;
  response?: { status: number; headers: ResponseHeaders };
  error?: GraphError;
}

export interface RetryDecision {
  retryAfterInMs: number;
  /** The wait is Graph's own (Retry-After), so it also tells the caller when to come back. */
  serverRequested?: boolean;
}

export interface RetryStrategy {
  readonly name: string;
  /** The wait before the next attempt, or undefined when this strategy does not retry this outcome. */
  retry(information: RetryInformation): RetryDecision | undefined;
}

export interface RetryRules {
  maxRetries: number;
  /** Asked in order; the first decision wins. */
  strategies: readonly RetryStrategy[];
}

export type RetryVerdict =
  | { retry: true; waitMs: number }
  /** `retryAfterSeconds`: when trying again could succeed, when that is known (Graph said, or the deadline refused a wait). */
  | { retry: false; retryAfterSeconds?: number };

/** Whether to try again after this outcome, and after how long. */
export function decideRetry(rules: RetryRules, information: RetryInformation, deadline: number, now: number = Date.now()): RetryVerdict {
  let decision: RetryDecision | undefined;
  for (const strategy of rules.strategies) {
    decision = strategy.retry(information);
    if (decision !== undefined) break;
  }
  if (decision === undefined) return { retry: false };
  const waitMs = decision.retryAfterInMs;
  if (information.retryCount >= rules.maxRetries) {
    return { retry: false, retryAfterSeconds: decision.serverRequested ? wholeSeconds(waitMs) : undefined };
  }
  if (now + waitMs >= deadline) return { retry: false, retryAfterSeconds: wholeSeconds(waitMs) };
  return { retry: true, waitMs };
}

/** Whole seconds, at least 1: a `Retry-After` of 0 would invite an immediate storm. */
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

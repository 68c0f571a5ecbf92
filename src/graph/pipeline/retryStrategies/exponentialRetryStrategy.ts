/**
 * No wait from Graph: exponential backoff with full jitter (random in [0, min(cap, base·2^retry)]), for 429/503/504
 * replies without `Retry-After` and for connections that failed before any reply. Timeouts and aborts are not
 * retried: they used the time.
 */
import { RETRYABLE_STATUSES, type RetryStrategy } from './retryStrategy';

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Backoff base in ms. */
  baseDelayMs: number;
  /** Backoff cap in ms. */
  maxDelayMs: number;
}

/** Full-jitter exponential backoff for retry number `retry` (0 for the first retry). */
export function backoffDelayMs(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

export function exponentialRetryStrategy(options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): RetryStrategy {
  return {
    name: 'exponentialRetryStrategy',
    retry({ retryCount, response, error }) {
      const retryable = response !== undefined ? RETRYABLE_STATUSES.has(response.status) : error?.kind === 'network' && error.beforeReply === true;
      return retryable ? { retryAfterInMs: backoffDelayMs(retryCount, options, random) } : undefined;
    },
  };
}

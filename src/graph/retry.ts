/**
 * Retry policy for Microsoft Graph calls, in one place.
 *
 * Retried: 429, 503 and 504 replies and connection failures that happened before any reply, like Graph's own SDKs
 * (at most `maxRetries`, default 3). Other statuses are not retried: 500/507 and 4xx would fail again.
 *
 * Why repeating is safe: every call this client makes is either a read or the `assign` action, and `assign`
 * REPLACES the pool's whole assignment set with the one sent. Sending the same set twice leaves the same state
 * (it is idempotent), so a retry after a lost reply cannot duplicate or lose an assignment.
 *
 * Delay: `Retry-After` (seconds, fractional seconds, or an HTTP date) or `retry-after-ms` when Graph sends one;
 * otherwise exponential backoff with full jitter (random in [0, min(cap, base·2^attempt)]). A retry whose wait
 * would pass the call's deadline is not attempted: the last error is returned at once instead.
 */

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries: number;
  /** Backoff base in ms (default 500). */
  baseDelayMs: number;
  /** Backoff cap in ms (default 10 000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 10_000 };

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

/**
 * The wait Graph asked for, in ms, from `retry-after-ms` or `Retry-After` (delta-seconds, possibly fractional,
 * or an HTTP date). Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfterMs(
  retryAfter: string | string[] | undefined,
  retryAfterMs: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = first(retryAfterMs);
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.max(0, Math.ceil(Number(ms)));
  const value = first(retryAfter)?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  if (/^-\d/.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Full-jitter exponential backoff for retry number `retry` (0 for the first retry). */
export function backoffDelayMs(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Graph said how long to wait: `Retry-After` (delta-seconds, possibly fractional, or an HTTP date) or
 * `retry-after-ms`, on a 429, 503 or 504.
 */
import { headerValue, type ResponseHeaders } from '../types';
import { RETRYABLE_STATUSES, type RetryStrategy } from './retryStrategy';

/**
 * The wait Graph asked for, in ms, from `retry-after-ms` or `Retry-After`. Undefined when absent or unreadable;
 * never negative.
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

export function throttlingRetryStrategy(): RetryStrategy {
  return {
    name: 'throttlingRetryStrategy',
    retry({ response }) {
      if (response === undefined || !RETRYABLE_STATUSES.has(response.status)) return undefined;
      const ms = parseRetryAfterMs(headerValue(response.headers, 'retry-after'), headerValue(response.headers, 'retry-after-ms'));
      return ms === undefined ? undefined : { retryAfterInMs: ms, serverRequested: true };
    },
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

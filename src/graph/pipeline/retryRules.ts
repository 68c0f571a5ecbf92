/** Graph's retry rules for single calls and $batch items (docs/architecture.md#the-graph-pipeline). */
import type { HttpHeaders } from '@azure/core-rest-pipeline';
import type { RetryOptions } from '../options';

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

export interface RetryRules extends RetryOptions {
  /** The random source of the backoff jitter (tests fix it). */
  random: () => number;
}

/** The last attempt's outcome: Graph's reply, or a connection that failed before any. */
interface RetryOutcome {
  /** Retries so far (0 after the first attempt). */
  retryCount: number;
  status?: number;
  headers?: Pick<HttpHeaders, 'get'>;
  failedBeforeReply?: boolean;
}

type RetryVerdict =
  | { retry: true; waitMs: number }
  /** `retryAfterSeconds`: when trying again could succeed, if known (Graph said, or the deadline refused a wait). */
  | { retry: false; retryAfterSeconds?: number };

/** Whether to try again after this outcome, and after how long. */
export function decideRetry(rules: RetryRules, outcome: RetryOutcome, deadline: number, now: number = Date.now()): RetryVerdict {
  const { retryCount, status, headers } = outcome;
  const retryable = status !== undefined ? RETRYABLE_STATUSES.has(status) : outcome.failedBeforeReply === true;
  if (!retryable) return { retry: false };
  const graphWaitMs = status !== undefined && headers !== undefined ? retryAfterMs(headers, now) : undefined;
  const waitMs = graphWaitMs ?? backoffDelayMs(retryCount, rules, rules.random);
  if (retryCount >= rules.maxRetries) return { retry: false, retryAfterSeconds: graphWaitMs === undefined ? undefined : wholeSeconds(graphWaitMs) };
  if (now + waitMs >= deadline) return { retry: false, retryAfterSeconds: wholeSeconds(waitMs) };
  return { retry: true, waitMs };
}

/** Full-jitter exponential backoff for retry number `retry` (0 for the first): random in [0, min(cap, base·2^retry)). */
export function backoffDelayMs(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry));
}

/** The wait Graph asked for in ms (`retry-after-ms`, else `Retry-After`); undefined when absent or unreadable, never negative. */
export function retryAfterMs(headers: Pick<HttpHeaders, 'get'>, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  if (/^-\d/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Whole seconds, at least 1: a `Retry-After` of 0 would invite an immediate storm. */
export function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

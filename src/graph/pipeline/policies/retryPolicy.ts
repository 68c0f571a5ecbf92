/** Graph's retry rules: core's retry loop under them for single calls, decideRetry for $batch items. */
import { isRestError, RestError, retryPolicy as coreRetryPolicy, type HttpHeaders, type PipelinePolicy, type PipelineRequest, type PipelineResponse, type RetryStrategy, type SendRequest } from '@azure/core-rest-pipeline';
import { abortedError, graphErrorFromReply, GraphError, isGraphError, toGraphError } from '../../errors';
import type { RetryOptions } from '../../options';
import { callOf, isSuccess, type GraphCall } from '../request';

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

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
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The rules as core's one retry strategy: a wait, or skip (the outcome stands). */
function graphRetryStrategy(rules: RetryRules): RetryStrategy {
  return {
    name: 'graphRetryStrategy',
    retry({ retryCount, response, responseError }) {
      const request = response?.request ?? responseError?.request;
      if (request === undefined) return { skipStrategy: true };
      const call = callOf(request);
      const status = response?.status;
      if (!call.repeatable && status !== 429) return { skipStrategy: true };
      const failedBeforeReply = response === undefined && responseError?.code === RestError.REQUEST_SEND_ERROR;
      const verdict = decideRetry(rules, { retryCount, status, headers: response?.headers, failedBeforeReply }, call.deadline);
      if (!verdict.retry) {
        call.retryAfterSeconds = verdict.retryAfterSeconds;
        return { skipStrategy: true };
      }
      return { retryAfterInMs: verdict.waitMs };
    },
  };
}

/** core's retry loop under Graph's rules: a 2xx is returned, anything else thrown as a GraphError. */
export function retryPolicy(rules: RetryRules): PipelinePolicy {
  // The rules decide when to stop (decideRetry knows maxRetries): core's own count never ends the loop first.
  const core = coreRetryPolicy([graphRetryStrategy(rules)], { maxRetries: Infinity });
  return {
    name: 'graphRetryPolicy',
    async sendRequest(request, next) {
      const call = callOf(request);
      let response: PipelineResponse;
      try {
        response = await core.sendRequest(request, (attempt) => countedAttempt(attempt, next));
      } catch (error) {
        throw finalError(error, call);
      }
      if (isSuccess(response.status)) return response;
      throw graphErrorFromReply(response.status, response.bodyAsText ?? '', {
        requestId: response.headers.get('request-id'),
        clientRequestId: call.clientRequestId,
        retryAfterSeconds: call.retryAfterSeconds,
      });
    },
  };
}

/** One attempt: `Retry-Attempt: n` on the n-th repeat; 429 replies counted for telemetry. */
async function countedAttempt(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
  const call = callOf(request);
  const attempt = call.attempts++;
  if (attempt > 0) {
    call.retries = attempt;
    request.headers.set('retry-attempt', String(attempt));
  }
  const response = await next(request);
  if (response.status === 429) call.throttled++;
  return response;
}

/** A thrown outcome as a GraphError: a connection that failed before any reply, a wait cut short, or any other failure. */
function finalError(error: unknown, call: GraphCall): GraphError {
  if (isGraphError(error)) return error;
  if (call.signal?.aborted) return abortedError({ clientRequestId: call.clientRequestId, cause: error });
  if (isRestError(error) && error.code === RestError.REQUEST_SEND_ERROR) {
    return new GraphError('The connection to Microsoft Graph failed.', { kind: 'network', beforeReply: true, clientRequestId: call.clientRequestId, cause: error.cause });
  }
  return toGraphError(error, call.clientRequestId);
}

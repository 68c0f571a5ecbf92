/** core's retry loop under Graph's rules (../retryRules.ts): a 2xx is returned, anything else thrown as a GraphError. */
import { isRestError, RestError, retryPolicy as coreRetryPolicy, type PipelinePolicy, type PipelineRequest, type PipelineResponse, type RetryStrategy, type SendRequest } from '@azure/core-rest-pipeline';
import { abortedError, graphErrorFromReply, GraphError, isGraphError, toGraphError } from '../../errors';
import { callOf, isSuccess, type GraphCall } from '../request';
import { decideRetry, RETRYABLE_STATUSES, retryAfterMs, wholeSeconds, type RetryRules } from '../retryRules';

/** The rules as core's one retry strategy: a wait, or skip (the outcome stands). */
function graphRetryStrategy(rules: RetryRules): RetryStrategy {
  return {
    name: 'graphRetryStrategy',
    retry({ retryCount, response, responseError }) {
      const request = response?.request ?? responseError?.request;
      if (request === undefined) return { skipStrategy: true };
      const call = callOf(request);
      const status = response?.status;
      if (!call.repeatable && status !== 429) {
        call.declined = {};
        return { skipStrategy: true };
      }
      const failedBeforeReply = response === undefined && responseError?.code === RestError.REQUEST_SEND_ERROR;
      const verdict = decideRetry(rules, { retryCount, status, headers: response?.headers, failedBeforeReply }, call.deadline);
      if (!verdict.retry) {
        call.declined = { retryAfterSeconds: verdict.retryAfterSeconds };
        return { skipStrategy: true };
      }
      return { retryAfterInMs: verdict.waitMs };
    },
  };
}

export function retryPolicy(rules: RetryRules): PipelinePolicy {
  const core = coreRetryPolicy([graphRetryStrategy(rules)], { maxRetries: rules.maxRetries });
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
      // Retries ran out before the rules were asked: Graph's own wait, when it gave one.
      const graphWait = RETRYABLE_STATUSES.has(response.status) ? retryAfterMs(response.headers) : undefined;
      const retryAfterSeconds = call.declined ? call.declined.retryAfterSeconds : graphWait === undefined ? undefined : wholeSeconds(graphWait);
      throw graphErrorFromReply(response.status, response.bodyAsText ?? '', {
        requestId: response.headers.get('request-id'),
        clientRequestId: call.clientRequestId,
        retryAfterSeconds,
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

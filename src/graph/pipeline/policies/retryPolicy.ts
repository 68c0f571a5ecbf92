/**
 * Repeats an attempt as the retry rules say (retryStrategies/), waiting on the call's signal, and stamps
 * `Retry-Attempt` on each repeat. It is where a reply becomes final: a 2xx reply is returned, any other becomes
 * the GraphError the caller sees, with the time to retry when that is known.
 */
import { graphErrorFromReply, toGraphError } from '../../errors';
import { delay } from '../delay';
import { decideRetry, type RetryRules, type RetryVerdict } from '../retryStrategies/retryStrategy';
import { isSuccess, type GraphRequest, type GraphResponse, type PipelinePolicy } from '../types';

export function retryPolicy(rules: RetryRules): PipelinePolicy {
  return {
    name: 'retryPolicy',
    async sendRequest(request, next) {
      for (;;) {
        let response: GraphResponse;
        try {
          response = await next(request);
        } catch (caught) {
          const error = toGraphError(caught, request.clientRequestId);
          // Once the call's signal fired (deadline or caller), nothing is repeated; nor is a request that is not
          // repeatable: a connection that failed may have carried it to Graph.
          const verdict =
            request.signal?.aborted || !request.repeatable ? undefined : decideRetry(rules, { retryCount: request.retries, error }, request.deadline);
          if (!verdict?.retry) throw error;
          await again(request, verdict.waitMs);
          continue;
        }
        if (isSuccess(response.status)) return response;
        if (response.status === 429) request.throttled++;
        const verdict = onlyIfUnprocessed(request, response.status, decideRetry(rules, { retryCount: request.retries, response }, request.deadline));
        if (!verdict.retry) {
          throw graphErrorFromReply(response.status, response.text, {
            requestId: response.requestId,
            clientRequestId: request.clientRequestId,
            retryAfterSeconds: verdict.retryAfterSeconds,
          });
        }
        await again(request, verdict.waitMs);
      }
    },
  };
}

/** A 429 is Graph refusing the request unprocessed: the one reply after which a non-repeatable request is sent again. */
function onlyIfUnprocessed(request: GraphRequest, status: number, verdict: RetryVerdict): RetryVerdict {
  if (request.repeatable || status === 429 || !verdict.retry) return verdict;
  return { retry: false };
}

async function again(request: GraphRequest, waitMs: number): Promise<void> {
  await delay(waitMs, request.signal);
  request.retries++;
  request.headers['retry-attempt'] = String(request.retries);
}

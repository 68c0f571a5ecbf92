/** Counts a call's attempts and 429 replies for telemetry, and stamps `Retry-Attempt: n` on the n-th repeat, as Graph's SDKs do. */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { callOf } from '../request';

export function retryAttemptPolicy(): PipelinePolicy {
  return {
    name: 'retryAttemptPolicy',
    async sendRequest(request, next) {
      const call = callOf(request);
      const attempt = call.attempts++;
      if (attempt > 0) {
        call.retries = attempt;
        request.headers.set('retry-attempt', String(attempt));
      }
      const response = await next(request);
      if (response.status === 429) call.throttled++;
      return response;
    },
  };
}

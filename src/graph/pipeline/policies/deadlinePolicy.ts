/** The call's deadline (retries included) and its one abort signal; what the deadline cut short is a `timeout`. */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { abortedError, isGraphError, timeoutError } from '../../errors';
import { callOf } from '../request';

export function deadlinePolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'deadlinePolicy',
    async sendRequest(request, next) {
      const call = callOf(request);
      const caller = call.signal;
      // A caller that already gave up sends nothing (and fetches no token).
      if (caller?.aborted) throw abortedError({ clientRequestId: call.clientRequestId });
      call.deadline = Date.now() + timeoutMs;
      const abort = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        abort.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
      }, timeoutMs);
      timer.unref();
      const unfollow = caller ? followCaller(caller, abort) : undefined;
      call.signal = abort.signal;
      request.abortSignal = abort.signal;
      try {
        return await next(request);
      } catch (error) {
        if (!timedOut || (isGraphError(error) && error.kind === 'credential')) throw error;
        throw timeoutError({
          clientRequestId: call.clientRequestId,
          requestId: isGraphError(error) ? error.requestId : undefined,
          cause: isGraphError(error) && error.cause !== undefined ? error.cause : error,
        });
      } finally {
        clearTimeout(timer);
        unfollow?.();
        call.signal = caller;
        request.abortSignal = caller;
      }
    },
  };
}

/** The calls in flight per caller signal: one 'abort' listener per signal, however many calls it covers. */
const callsByCaller = new WeakMap<AbortSignal, Set<AbortController>>();

/** Aborts `call` when `caller` aborts, until the returned function is called. */
function followCaller(caller: AbortSignal, call: AbortController): () => void {
  let followers = callsByCaller.get(caller);
  if (followers === undefined) {
    const created = new Set<AbortController>();
    followers = created;
    callsByCaller.set(caller, created);
    caller.addEventListener(
      'abort',
      () => {
        for (const follower of created) follower.abort(caller.reason);
        created.clear();
      },
      { once: true },
    );
  }
  const set = followers;
  set.add(call);
  return () => set.delete(call);
}

/**
 * The call's deadline (`timeoutMs`, retries and waits included) and its one abort signal, fired by the deadline or
 * by the caller. Everything below waits on that signal: the retry waits, the token, the budgets, the bulkhead,
 * undici's queue and the exchange. When the deadline fired, whatever failed because of it is a `timeout`.
 *
 * One signal per call, its timer cleared as soon as the call ends (AbortSignal.timeout + AbortSignal.any made two
 * signals per attempt and left each timer pending for the whole GRAPH_TIMEOUT_MS: under load, tens of thousands
 * of live timers and signals).
 */
import { abortedError, isGraphError, timeoutError } from '../../errors';
import type { PipelinePolicy } from '../types';

export function deadlinePolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'deadlinePolicy',
    async sendRequest(request, next) {
      const caller = request.signal;
      // A caller that already gave up sends nothing (and fetches no token).
      if (caller?.aborted) throw abortedError({ clientRequestId: request.clientRequestId });
      request.deadline = Date.now() + timeoutMs;
      const abort = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        abort.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
      }, timeoutMs);
      timer.unref(); // like AbortSignal.timeout's: a pending deadline never keeps the process alive
      const unfollow = caller ? followCaller(caller, abort) : undefined;
      request.signal = abort.signal;
      try {
        return await next(request);
      } catch (error) {
        // A token failure keeps its own meaning (the identity provider was slow or refused), as before.
        if (!timedOut || (isGraphError(error) && error.kind === 'credential')) throw error;
        throw timeoutError({
          clientRequestId: request.clientRequestId,
          requestId: isGraphError(error) ? error.requestId : undefined,
          cause: isGraphError(error) && error.cause !== undefined ? error.cause : error,
        });
      } finally {
        clearTimeout(timer);
        unfollow?.();
        request.signal = caller;
      }
    },
  };
}

/** The calls in flight per caller signal: one 'abort' listener per signal, however many calls it covers at once. */
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

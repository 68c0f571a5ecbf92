/** The Graph pipeline on core-rest-pipeline; its order is written once, in createGraphPipeline (docs/architecture.md). */
import { createEmptyPipeline, type Pipeline, type PipelinePolicy, type PipelineResponse } from '@azure/core-rest-pipeline';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { LocalRateBudget } from '../../coordination/local';
import { abortedError, isGraphError, timeoutError, toGraphError, type GraphError } from '../errors';
import { GRAPH_CLIENT_DEFAULTS, type GraphClientOptions } from '../options';
import { UndiciHttpClient } from './httpClient';
import { Bulkhead, limitsPolicy } from './policies/limitsPolicy';
import { retryPolicy, type RetryRules } from './policies/retryPolicy';
import { callOf } from './request';
import { bearerPolicy, rejectedTokenPolicy, type CachedToken } from './token';

/** Everything a pipeline is made of except its credential: shared by every client of one endpoint. */
export type PipelineParts = ReturnType<typeof createPipelineParts>;

/** The chain of one credential, in order. */
export function createGraphPipeline(parts: PipelineParts, token: CachedToken): Pipeline {
  const pipeline = createEmptyPipeline();
  for (const policy of [
    telemetryPolicy(parts.telemetry),
    deadlinePolicy(parts.timeoutMs),
    retryPolicy(parts.retry),
    bearerPolicy(token, parts.token.scope),
    rejectedTokenPolicy(token),
    limitsPolicy(parts),
  ]) {
    pipeline.addPolicy(policy);
  }
  return pipeline;
}

/** The parts from the client's options, each default from GRAPH_CLIENT_DEFAULTS. */
export function createPipelineParts(endpoint: string, options: GraphClientOptions) {
  const d = GRAPH_CLIENT_DEFAULTS;
  const timeoutMs = options.timeoutMs ?? d.timeoutMs;
  return {
    httpClient: new UndiciHttpClient(endpoint, {
      apiVersion: options.apiVersion ?? d.apiVersion,
      maxConnections: options.maxConnections ?? d.maxConnections,
      connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? d.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs ?? d.bodyTimeoutMs,
      keepAliveTimeoutMs: d.keepAliveTimeoutMs,
    }),
    bulkhead: new Bulkhead({ ...d.bulkhead, ...options.bulkhead }),
    budgets: {
      writes: options.budgets?.writes ?? new LocalRateBudget({ ...d.writeBudget, ...options.writeBudget }),
      reads: options.budgets?.reads,
    },
    retry: { ...d.retry, ...options.retry, random: options.random ?? Math.random } satisfies RetryRules,
    timeoutMs,
    telemetry: { tracer: options.tracer, onCall: options.onCall },
    /** What each client's token asks its credential for, and how long it waits. */
    token: {
      scope: options.scope,
      onTokenAcquired: options.onTokenAcquired,
      // A token wait longer than the call's deadline would be cut by the deadline anyway.
      tokenTimeoutMs: Math.min(options.tokenTimeoutMs ?? d.tokenTimeoutMs, timeoutMs),
    },
    /** Only for the client's own credential (not the per-user ones): background recovery and events. */
    ownToken: { tokenRecovery: options.tokenRecovery, onTokenEvent: options.onTokenEvent },
  };
}

/** One OpenTelemetry client span and one `onCall` event per Graph call, with its final outcome. */
export function telemetryPolicy({ tracer, onCall }: Pick<GraphClientOptions, 'tracer' | 'onCall'>): PipelinePolicy {
  return {
    name: 'telemetryPolicy',
    async sendRequest(request, next) {
      const started = Date.now();
      const call = callOf(request);
      const { method, pathTemplate, clientRequestId } = call;
      const span = tracer?.startSpan(`graph ${method} ${pathTemplate}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': method, 'url.template': pathTemplate, 'graph.client_request_id': clientRequestId },
      });
      const finish = (response: PipelineResponse | undefined, error?: GraphError): void => {
        const status = response?.status ?? error?.status;
        const requestId = response?.headers.get('request-id') ?? error?.requestId;
        if (span) {
          if (status !== undefined) span.setAttribute('http.response.status_code', status);
          if (requestId) span.setAttribute('graph.request_id', requestId);
          span.setAttribute('graph.retries', call.retries);
          if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.kind });
          span.end();
        }
        onCall?.({ method, pathTemplate, status, durationMs: Date.now() - started, retries: call.retries, requestId, clientRequestId, errorKind: error?.kind, throttled: call.throttled });
      };
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (caught) {
        const error = toGraphError(caught, clientRequestId);
        finish(undefined, error);
        throw error;
      }
      finish(response);
      return response;
    },
  };
}

/** The call's deadline (retries included) and its one abort signal; what the deadline cut short is a `timeout`. */
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
  const known = callsByCaller.get(caller);
  const followers = known ?? new Set<AbortController>();
  if (known === undefined) {
    callsByCaller.set(caller, followers);
    caller.addEventListener(
      'abort',
      () => {
        for (const follower of followers) follower.abort(caller.reason);
        followers.clear();
      },
      { once: true },
    );
  }
  followers.add(call);
  return () => followers.delete(call);
}

/**
 * The Graph pipeline: what one Graph call goes through. The order is written once, in createPipeline, outermost
 * first: telemetry → deadline → retry → bearer token → limits → transport. Why this order (it is today's
 * behaviour of the client, made visible):
 * - telemetry outermost: one span and one event per call, with its final outcome, retry count and whole duration;
 * - deadline above retry: one deadline for the call, retries and their waits included (a retry whose wait would
 *   pass it is refused), and one signal that every wait below listens to;
 * - retry above the bearer token and the limits: each attempt gets a valid token (cached until near expiry) and
 *   takes budget, because Graph counts every attempt;
 * - limits right above the transport: the bulkhead slot is held for the exchange, not for token or budget waits.
 */
import type { RateBudget } from '../../coordination/types';
import { LocalRateBudget } from '../../coordination/local';
import { GRAPH_CLIENT_DEFAULTS, type GraphClientOptions } from '../options';
import { Bulkhead } from './bulkhead';
import { bearerTokenPolicy } from './policies/bearerTokenPolicy';
import { deadlinePolicy } from './policies/deadlinePolicy';
import { limitsPolicy } from './policies/limitsPolicy';
import { retryPolicy } from './policies/retryPolicy';
import { telemetryPolicy, type TelemetryOptions } from './policies/telemetryPolicy';
import { exponentialRetryStrategy } from './retryStrategies/exponentialRetryStrategy';
import type { RetryRules } from './retryStrategies/retryStrategy';
import { throttlingRetryStrategy } from './retryStrategies/throttlingRetryStrategy';
import type { CachedToken, CachedTokenOptions } from './token';
import { GraphTransport } from './transport';
import type { PipelinePolicy, SendRequest } from './types';

/** `policies[0]` outermost, `send` at the end. */
export function compose(policies: readonly PipelinePolicy[], send: SendRequest): SendRequest {
  return policies.reduceRight<SendRequest>((next, policy) => (request) => policy.sendRequest(request, next), send);
}

/** Everything a pipeline is made of except its credential: shared by every client of one endpoint. */
export interface PipelineParts {
  transport: GraphTransport;
  bulkhead: Bulkhead;
  budgets: { writes?: RateBudget; reads?: RateBudget };
  retry: RetryRules;
  timeoutMs: number;
  telemetry: TelemetryOptions;
  /** What each client's bearer-token policy asks its credential for, and how long it waits. */
  token: Pick<CachedTokenOptions, 'scope' | 'onAcquired' | 'timeoutMs'>;
  /** Only for the client's own credential (not the per-user ones): background recovery and events. */
  ownToken: Pick<CachedTokenOptions, 'recovery' | 'onEvent'>;
}

export function createPipeline(parts: PipelineParts, token: CachedToken): SendRequest {
  return compose(
    [
      telemetryPolicy(parts.telemetry),
      deadlinePolicy(parts.timeoutMs),
      retryPolicy(parts.retry),
      bearerTokenPolicy(token),
      limitsPolicy({ bulkhead: parts.bulkhead, budgets: parts.budgets }),
    ],
    (request) => parts.transport.sendRequest(request),
  );
}

/** The parts from the client's options, each default from GRAPH_CLIENT_DEFAULTS. */
export function createPipelineParts(endpoint: string, options: GraphClientOptions): PipelineParts {
  const d = GRAPH_CLIENT_DEFAULTS;
  const retry = { ...d.retry, ...options.retry };
  const random = options.random ?? Math.random;
  return {
    transport: new GraphTransport(endpoint, {
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
    retry: { maxRetries: retry.maxRetries, strategies: [throttlingRetryStrategy(), exponentialRetryStrategy(retry, random)] },
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
    telemetry: { tracer: options.tracer, onCall: options.onCall },
    token: {
      scope: options.scope,
      onAcquired: options.onTokenAcquired,
      // A token wait longer than the call's deadline would be cut by the deadline anyway.
      timeoutMs: Math.min(options.tokenTimeoutMs ?? d.tokenTimeoutMs, options.timeoutMs ?? d.timeoutMs),
    },
    ownToken: { recovery: options.tokenRecovery, onEvent: options.onTokenEvent },
  };
}

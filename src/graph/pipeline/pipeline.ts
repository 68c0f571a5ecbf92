/** The Graph pipeline on core-rest-pipeline; its order is written once, in createGraphPipeline (docs/architecture.md). */
import { createEmptyPipeline, type Pipeline } from '@azure/core-rest-pipeline';
import { LocalRateBudget } from '../../coordination/local';
import { GRAPH_CLIENT_DEFAULTS, type GraphClientOptions } from '../options';
import { UndiciHttpClient } from './httpClient';
import { bearerPolicy, rejectedTokenPolicy } from './policies/bearerPolicy';
import { deadlinePolicy } from './policies/deadlinePolicy';
import { Bulkhead, limitsPolicy } from './policies/limitsPolicy';
import { retryPolicy, type RetryRules } from './policies/retryPolicy';
import { telemetryPolicy } from './policies/telemetryPolicy';
import type { CachedToken } from './token';

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
      onAcquired: options.onTokenAcquired,
      // A token wait longer than the call's deadline would be cut by the deadline anyway.
      timeoutMs: Math.min(options.tokenTimeoutMs ?? d.tokenTimeoutMs, timeoutMs),
    },
    /** Only for the client's own credential (not the per-user ones): background recovery and events. */
    ownToken: { recovery: options.tokenRecovery, onEvent: options.onTokenEvent },
  };
}

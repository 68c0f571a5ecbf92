/**
 * Prometheus metrics (prom-client), one registry per service instance. Label values are bounded: operation
 * names are client-chosen, so only well-formed ones are kept and at most MAX_OPERATION_NAMES distinct ones.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GraphCallEvent } from '../graph/api';

const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export class Metrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();

  readonly operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (ok, error).',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation latency.',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly graphCalls = new Counter({
    name: 'graph_calls_total',
    help: 'Calls to Microsoft Graph by method, path template and final status (or error kind).',
    labelNames: ['method', 'path', 'status'] as const,
    registers: [this.registry],
  });

  readonly graphCallDuration = new Histogram({
    name: 'graph_call_duration_seconds',
    help: 'Latency of calls to Microsoft Graph, retries and waits included.',
    labelNames: ['method', 'path'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly graphRetries = new Counter({
    name: 'graph_retries_total',
    help: 'Retries of calls to Microsoft Graph.',
    labelNames: ['method', 'path'] as const,
    registers: [this.registry],
  });

  readonly graphThrottled = new Counter({
    name: 'graph_throttled_total',
    help: '429 replies from Microsoft Graph, and calls refused by the client-side limits (source=client).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly tokenAcquisitions = new Counter({
    name: 'graph_token_acquisitions_total',
    help: 'Access tokens obtained for Microsoft Graph.',
    registers: [this.registry],
  });

  // Router response-cache invalidations after writes (src/http/invalidation.ts).
  readonly routerInvalidations = new Counter({
    name: 'router_invalidations_total',
    help: "Requests to the router's response-cache invalidation endpoint after writes, by outcome (ok, failed).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly historyOutsideChanges = new Counter({
    name: 'history_outside_changes_total',
    help: "Changes to a pool's assignments made outside this subgraph, found by a read or the sweep (source).",
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  readonly idempotencyRequests = new Counter({
    name: 'idempotency_requests_total',
    help: 'Mutations sent with an idempotencyKey, by what the key did (new, replayed, settled, retried, reused, busy).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly historySweepDuration = new Histogram({
    name: 'history_sweep_duration_seconds',
    help: "How long a sweep of every pool's assignments took (on the replica that held the sweep's lease).",
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  readonly historySweepLag = new Gauge({
    name: 'history_sweep_lag_seconds',
    help: 'Seconds since the last sweep by any replica ended (from the shared history store).',
    registers: [this.registry],
  });

  constructor(load?: () => { inFlight: number; queued: number }) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'graph_bulkhead_queue_length',
      help: 'Calls waiting for a free slot to Microsoft Graph.',
      registers: [this.registry],
      collect() {
        if (load) this.set(load().queued);
      },
    });
    new Gauge({
      name: 'graph_in_flight',
      help: 'Calls to Microsoft Graph in flight.',
      registers: [this.registry],
      collect() {
        if (load) this.set(load().inFlight);
      },
    });
  }

  /** A bounded label for a client-chosen operation name. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'invalid';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }

  recordOperation(name: string | null | undefined, type: string, outcome: 'ok' | 'error', seconds: number): void {
    const labels = { operation: this.operationLabel(name), type, outcome };
    this.operations.inc(labels);
    this.operationDuration.observe(labels, seconds);
  }

  recordGraphCall(event: GraphCallEvent): void {
    const status = event.status !== undefined ? String(event.status) : (event.errorKind ?? 'unknown');
    this.graphCalls.inc({ method: event.method, path: event.pathTemplate, status });
    this.graphCallDuration.observe({ method: event.method, path: event.pathTemplate }, event.durationMs / 1000);
    if (event.retries > 0) this.graphRetries.inc({ method: event.method, path: event.pathTemplate }, event.retries);
    if (event.throttled > 0) this.graphThrottled.inc({ source: 'graph' }, event.throttled);
    if (event.errorKind === 'rejected') this.graphThrottled.inc({ source: 'client' });
  }
}

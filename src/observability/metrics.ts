/** Prometheus metrics (prom-client), one registry per service instance; client-chosen operation names bounded. */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CoordinationEvent, CoordinationEventListener, CoordinationHealth } from '../coordination/types';
import type { GraphCallEvent } from '../graph/api';

const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const OPERATION = ['operation', 'type', 'outcome'] as const;
const CALL = ['method', 'path'] as const;
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/** A counter registered on `registry` only. */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** A histogram registered on `registry` only. */
function histogram<L extends string>(registry: Registry, name: string, help: string, buckets: number[], labelNames: readonly L[] = []): Histogram<L> {
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

/** A gauge registered on `registry` only, brought up to date by `collect` at each scrape when given. */
function gauge<L extends string>(registry: Registry, name: string, help: string, collect?: (gauge: Gauge<L>) => void, labelNames: readonly L[] = []): Gauge<L> {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      collect?.(this);
    },
  });
}

export class Metrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  readonly operations = counter(this.registry, 'graphql_operations_total',
    'GraphQL operations by operation name, type and outcome (ok, error).', OPERATION);
  readonly operationDuration = histogram(this.registry, 'graphql_operation_duration_seconds', 'GraphQL operation latency.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], OPERATION);
  readonly graphCalls = counter(this.registry, 'graph_calls_total',
    'Calls to Microsoft Graph by method, path template and final status (or error kind).', [...CALL, 'status']);
  readonly graphCallDuration = histogram(this.registry, 'graph_call_duration_seconds', 'Latency of calls to Microsoft Graph, retries and waits included.',
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], CALL);
  readonly graphRetries = counter(this.registry, 'graph_retries_total', 'Retries of calls to Microsoft Graph.', CALL);
  readonly graphThrottled = counter(this.registry, 'graph_throttled_total',
    '429 replies from Microsoft Graph, and calls refused by the client-side limits (source=client).', ['source']);
  readonly tokenAcquisitions = counter(this.registry, 'graph_token_acquisitions_total', 'Access tokens obtained for Microsoft Graph.');
  readonly routerInvalidations = counter(this.registry, 'router_invalidations_total',
    "Requests to the router's response-cache invalidation endpoint after writes, by outcome (ok, failed).", ['outcome']);
  readonly historyOutsideChanges = counter(this.registry, 'history_outside_changes_total',
    "Changes to a pool's assignments made outside this subgraph, found by a read or the sweep (source).", ['source']);
  readonly idempotencyRequests = counter(this.registry, 'idempotency_requests_total',
    'Mutations sent with an idempotencyKey, by what the key did (new, replayed, settled, retried, reused, busy).', ['result']);
  readonly historySweepDuration = histogram(this.registry, 'history_sweep_duration_seconds',
    "How long a sweep of every pool's assignments took (on the replica that held the sweep's lease).", [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600]);
  readonly historySweepLag = gauge(this.registry, 'history_sweep_lag_seconds',
    'Seconds since the last sweep by any replica ended (from the shared history store).');

  constructor(load?: () => { inFlight: number; queued: number }) {
    collectDefaultMetrics({ register: this.registry });
    gauge(this.registry, 'graph_bulkhead_queue_length', 'Calls waiting for a free slot to Microsoft Graph.', load && ((queued) => queued.set(load().queued)));
    gauge(this.registry, 'graph_in_flight', 'Calls to Microsoft Graph in flight.', load && ((inFlight) => inFlight.set(load().inFlight)));
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

/** The CoordinationEvents as metrics on `registry` (`coordination_up` read from `health` at each scrape); fixed labels. */
export function coordinationMetrics(registry: Registry, health: () => CoordinationHealth | undefined): CoordinationEventListener {
  const budgetTakes = counter(registry, 'coordination_budget_takes_total',
    'Takes of the Graph request budgets (writes, reads) by outcome: granted, budget-exhausted, unavailable, aborted.', ['budget', 'outcome']);
  const budgetWait = histogram(registry, 'coordination_budget_wait_seconds',
    'How long a budget take waited for its slot (or until it was refused).', WAIT_BUCKETS, ['budget']);
  const lockAcquisitions = counter(registry, 'coordination_lock_acquisitions_total',
    'Acquisitions of per-pool edit locks by outcome: acquired, lock-timeout, unavailable, aborted.', ['outcome']);
  const lockWait = histogram(registry, 'coordination_lock_wait_seconds', 'How long an acquisition of a pool edit lock waited.', WAIT_BUCKETS);
  const lockLost = counter(registry, 'coordination_lock_lost_total',
    'Pool edit locks found taken over at renewal or release (their holder outlived the TTL).');
  const fallbacks = counter(registry, 'coordination_budget_fallback_total',
    'Budget takes decided by this replica alone because the shared store could not answer.', ['budget']);
  // From the events: goes 0 the moment the store is found down, even between scrapes' health readings.
  const storeUp = gauge(registry, 'coordination_store_up', 'The shared coordination store answers (1) or not (0).');
  const upHelp = 'Coordination works as configured (1) or not (0), by backend (local: in process; redis: shared). Why not: /readyz.';
  gauge(registry, 'coordination_up', upHelp, (up: Gauge<'backend'>) => {
    const current = health();
    if (!current) return;
    up.reset();
    up.set({ backend: current.backend }, current.ok ? 1 : 0);
  }, ['backend']);
  storeUp.set(1);
  return (event: CoordinationEvent) => {
    switch (event.type) {
      case 'budget':
        budgetTakes.inc({ budget: event.budget, outcome: event.outcome });
        return budgetWait.observe({ budget: event.budget }, event.waitedMs / 1000);
      case 'lock':
        lockAcquisitions.inc({ outcome: event.outcome });
        return lockWait.observe(event.waitedMs / 1000);
      case 'lock-lost':
        return lockLost.inc();
      case 'store-down':
      case 'store-up':
        return storeUp.set(event.type === 'store-up' ? 1 : 0);
      case 'budget-fallback':
        return fallbacks.inc({ budget: event.budget });
    }
  };
}

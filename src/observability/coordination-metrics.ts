/**
 * The CoordinationEvents as Prometheus counters and histograms, and whether the shared store answers; every label
 * from a fixed set (the reason a store is down is logged, never a label).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CoordinationEvent, CoordinationEventListener } from '../coordination/events';
import type { CoordinationHealth } from '../coordination/types';

const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/**
 * Registers the metrics on `registry`; returns the listener for createCoordination's `onEvent`. `health` is read at
 * each scrape, so `coordination_up` is current even when no event has come since the store went down.
 */
export function coordinationMetrics(registry: Registry, health: () => CoordinationHealth | undefined): CoordinationEventListener {
  const registers = [registry];
  const budgetTakes = new Counter({
    name: 'coordination_budget_takes_total',
    help: 'Takes of the Graph request budgets (writes, reads) by outcome: granted, budget-exhausted, unavailable, aborted.',
    labelNames: ['budget', 'outcome'] as const,
    registers,
  });
  const budgetWait = new Histogram({
    name: 'coordination_budget_wait_seconds',
    help: 'How long a budget take waited for its slot (or until it was refused).',
    labelNames: ['budget'] as const,
    buckets: WAIT_BUCKETS,
    registers,
  });
  const lockAcquisitions = new Counter({
    name: 'coordination_lock_acquisitions_total',
    help: 'Acquisitions of per-pool edit locks by outcome: acquired, lock-timeout, unavailable, aborted.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const lockWait = new Histogram({
    name: 'coordination_lock_wait_seconds',
    help: 'How long an acquisition of a pool edit lock waited.',
    buckets: WAIT_BUCKETS,
    registers,
  });
  const lockLost = new Counter({
    name: 'coordination_lock_lost_total',
    help: 'Pool edit locks found taken over at renewal or release (their holder outlived the TTL).',
    registers,
  });
  const fallbacks = new Counter({
    name: 'coordination_budget_fallback_total',
    help: 'Budget takes decided by this replica alone because the shared store could not answer.',
    labelNames: ['budget'] as const,
    registers,
  });
  // From the events: goes 0 the moment the store is found down, even between scrapes' health readings.
  const storeUp = new Gauge({ name: 'coordination_store_up', help: 'The shared coordination store answers (1) or not (0).', registers });
  new Gauge({
    name: 'coordination_up',
    help: 'Coordination works as configured (1) or not (0), by backend (local: in process; redis: shared). Why not: /readyz.',
    labelNames: ['backend'] as const,
    registers,
    collect() {
      const current = health();
      if (!current) return;
      this.reset();
      this.set({ backend: current.backend }, current.ok ? 1 : 0);
    },
  });
  storeUp.set(health()?.ok === false ? 0 : 1);

  return (event: CoordinationEvent) => {
    switch (event.type) {
      case 'budget':
        budgetTakes.inc({ budget: event.budget, outcome: event.outcome });
        budgetWait.observe({ budget: event.budget }, event.waitedMs / 1000);
        return;
      case 'lock':
        lockAcquisitions.inc({ outcome: event.outcome });
        lockWait.observe(event.waitedMs / 1000);
        return;
      case 'lock-lost':
        lockLost.inc();
        return;
      case 'store-down':
        storeUp.set(0);
        return;
      case 'store-up':
        storeUp.set(1);
        return;
      case 'budget-fallback':
        fallbacks.inc({ budget: event.budget });
        return;
    }
  };
}

/** The CoordinationEvents as Prometheus metrics; every label from a fixed set (why a store is down is logged only). */
import type { Gauge, Registry } from 'prom-client';
import type { CoordinationEvent, CoordinationEventListener, CoordinationHealth } from '../coordination/types';
import { counter, gauge, histogram } from './metrics';

const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/** Registers the metrics on `registry` (`coordination_up` read from `health` at each scrape only); returns the listener. */
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

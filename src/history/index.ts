/** Opens the assignment history: its store and migrations, the journal, the sweep and retention. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HistorySettings } from '../config/history';
import type { EsimPoolsApi } from '../graph/api';
import { History, type HistoryHooks, type SetRules } from './history';
import { IdempotencyKeys } from './idempotency';
import { HistoryStore } from './store';
import { sweeper, type SweepHooks } from './sweep';

/** Retention runs this often (on one replica at a time: the `retention` lease). */
const RETENTION_EVERY_MS = 60 * 60_000;

export interface HistoryDeps {
  rules: SetRules;
  graph: EsimPoolsApi;
  readBudget: { limit: number; windowMs: number };
  hooks?: HistoryHooks & SweepHooks & { onRetention?(deleted: number): void; onRetentionError?(error: unknown): void };
}

/** Runs `task` after `firstMs`, then `everyMs` after each run has ended, until `signal` fires (timers unref'd). */
async function repeat(firstMs: number, everyMs: number, signal: AbortSignal, task: () => Promise<unknown>) {
  for (let ms = firstMs; ; ms = everyMs) {
    if (!(await sleep(ms, true, { signal, ref: false }).catch(() => false))) return;
    await task();
  }
}

export type OpenedHistory = Awaited<ReturnType<typeof openHistory>>;

export async function openHistory(settings: Extract<HistorySettings, { enabled: true }>, deps: HistoryDeps) {
  // Loaded here, not at start-up: with HISTORY=off neither Kysely nor a driver is loaded.
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([import('./db'), import('./migrate')]);
  const database = await openDatabase(settings.store);
  const store = new HistoryStore(database);
  const migrated = await migrateToLatest(database).catch(async (error: unknown) => {
    await store.close().catch(() => undefined);
    throw error;
  });
  const history = new History(store, deps.rules, deps.hooks);
  const hooks = deps.hooks ?? {};
  const stop = new AbortController();
  const intervalMs = settings.sweepIntervalS * 1000;
  const sweep = sweeper(history, deps.graph, { intervalMs, readShare: settings.sweepReadShare, readBudget: deps.readBudget, signal: stop.signal }, hooks);
  // The first sweep soon after start, at a random point so that replicas do not ask at once.
  const firstMs = Math.floor(Math.random() * Math.min(intervalMs, 10_000));
  const sweeping = intervalMs > 0 && repeat(firstMs, intervalMs, stop.signal, () => sweep().catch((error: unknown) => hooks.onError?.(error)));
  const holder = randomUUID();
  const retention = repeat(0, RETENTION_EVERY_MS, stop.signal, async () => {
    try {
      if (!(await store.acquireLease('retention', holder, Date.now(), RETENTION_EVERY_MS))) return;
      hooks.onRetention?.(await store.deleteExpired(settings.retentionDays));
      // Expired idempotency keys (a read treats them as absent already), in batches.
      const keys = new IdempotencyKeys(store, { ttlMs: 0, runningLeaseMs: 0 });
      while ((await keys.deleteExpired(500)) >= 500);
    } catch (error) {
      hooks.onRetentionError?.(error);
    }
  });
  return {
    history,
    /** Migrations applied at this start (empty: the schema was up to date). */
    migrated,
    async close(): Promise<void> {
      stop.abort();
      await Promise.all([sweeping, retention]);
      await history.close();
    },
  };
}

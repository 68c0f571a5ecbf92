/** Opens the assignment history: its store and migrations, the journal, the sweep and retention. */
import { randomUUID } from 'node:crypto';
import type { HistorySettings } from '../config/history';
import type { EsimPoolsApi } from '../graph/api';
import { History, type HistoryHooks, type SetRules } from './history';
import { IdempotencyKeys } from './idempotency';
import { HistoryStore } from './store';
import { Sweeper, type SweepHooks } from './sweep';

/** Retention runs this often (on one replica at a time: the `retention` lease). */
const RETENTION_EVERY_MS = 60 * 60_000;

export interface OpenedHistory {
  history: History;
  sweeper?: Sweeper;
  /** Migrations applied at this start (empty: the schema was up to date). */
  migrated: string[];
  close(): Promise<void>;
}

export interface HistoryDeps {
  rules: SetRules;
  graph: EsimPoolsApi;
  readBudget: { limit: number; windowMs: number };
  hooks?: HistoryHooks & SweepHooks & { onRetention?(deleted: number): void; onRetentionError?(error: unknown): void };
}

export async function openHistory(settings: Extract<HistorySettings, { enabled: true }>, deps: HistoryDeps): Promise<OpenedHistory> {
  // Loaded here, not at start-up: with HISTORY=off neither Kysely nor a driver is loaded.
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([import('./db'), import('./migrate')]);
  const database = await openDatabase(settings.store);
  const store = new HistoryStore(database);
  let migrated: string[];
  try {
    migrated = await migrateToLatest(database);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const history = new History(store, deps.rules, deps.hooks);
  const hooks = deps.hooks ?? {};
  let sweeper: Sweeper | undefined;
  if (settings.sweepIntervalS > 0) {
    sweeper = new Sweeper(
      history,
      deps.graph,
      { intervalMs: settings.sweepIntervalS * 1000, readShare: settings.sweepReadShare, readBudget: deps.readBudget },
      hooks,
    );
    sweeper.start();
  }
  const holder = randomUUID();
  const retain = async (): Promise<void> => {
    try {
      if (!(await store.acquireLease('retention', holder, Date.now(), RETENTION_EVERY_MS))) return;
      hooks.onRetention?.(await history.deleteExpired(settings.retentionDays));
      // Expired idempotency keys (a read treats them as absent already), in batches.
      const keys = new IdempotencyKeys(store, { ttlMs: 0, runningLeaseMs: 0 });
      while ((await keys.deleteExpired(500)) >= 500);
    } catch (error) {
      hooks.onRetentionError?.(error);
    }
  };
  let retention: Promise<void> = retain();
  const timer = setInterval(() => {
    retention = retain();
  }, RETENTION_EVERY_MS).unref();
  return {
    history,
    sweeper,
    migrated,
    async close() {
      clearInterval(timer);
      await sweeper?.stop();
      await retention;
      await history.close();
    },
  };
}

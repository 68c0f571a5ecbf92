/**
 * The history's behavioural suite runs over both stores: PostgreSQL (a throwaway cluster, test/support/postgres.ts)
 * and the embedded libsql file. `engines()` lists them (PostgreSQL skipped loudly where it is not installed, failing
 * in CI); `openStore` makes a fresh, migrated store of either, `stackWithHistory` a subgraph stack journaling into it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistorySettings } from '../../src/config/history';
import { HISTORY_RULES } from '../../src/graphql/history/rules';
import type { OpenedHistory } from '../../src/history';
import { openDatabase, type Engine } from '../../src/history/db';
import { History } from '../../src/history/history';
import { migrateToLatest } from '../../src/history/migrate';
import { HistoryStore } from '../../src/history/store';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/observability/logger';
import { gateFor } from '../support/auth';
import { DEFAULT_CONFIG } from '../support/config';
import { startTestIdp, type TestIdp } from '../support/idp';
import { postGraphQL, startStack, type Stack, type StackOptions } from '../support/stack';
import { PostgresServer, postgresAvailable } from '../support/postgres';
import { requirePart } from '../support/real-parts';

export type Location = Extract<HistorySettings, { enabled: true }>['store'];

/** One engine's fixture for a suite: its server (PostgreSQL) started once, a new database per store. */
export interface EngineFixture {
  engine: Engine;
  /** A new, empty store location. */
  location(): Promise<Location>;
  /** The store can no longer be reached (PostgreSQL stopped; the embedded file's connection closed). */
  takeDown(opened: OpenedHistory): Promise<void>;
  /** Reachable again (PostgreSQL started). */
  bringUp(): Promise<void>;
}

const pgAvailable = postgresAvailable();
/** Decided once per file: the loud line (or CI's failure) when PostgreSQL is missing. */
const runPostgres = requirePart('PostgreSQL (initdb)', pgAvailable, 'apt-get install -y postgresql');

/** The engines the suite runs over, and their fixtures (set up in the suite's beforeAll). */
export function engines(): Array<[Engine]> {
  return runPostgres ? [['embedded'], ['postgres']] : [['embedded']];
}

export function useEngine(engine: Engine): { readonly fixture: EngineFixture } {
  let server: PostgresServer | undefined;
  let dir: string | undefined;
  let count = 0;
  beforeAll(async () => {
    if (engine === 'postgres') server = await PostgresServer.start();
    else dir = mkdtempSync(join(tmpdir(), 'esim-history-'));
  }, 120_000);
  afterAll(async () => {
    await server?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const fixture: EngineFixture = {
    engine,
    async location() {
      if (engine === 'postgres') {
        if (!server) throw new Error('no PostgreSQL server');
        const url = await server.createDatabase();
        return { kind: 'postgres', url, displayUrl: url };
      }
      if (!dir) throw new Error('no temp dir');
      return { kind: 'embedded', path: join(dir, `history-${++count}.db`) };
    },
    async takeDown(opened) {
      if (server) await server.stop();
      else await opened.history.store.close();
    },
    async bringUp() {
      await server?.start();
    },
  };
  return { fixture };
}

export function settingsFor(location: Location, sweepIntervalS = 0): Extract<HistorySettings, { enabled: true }> {
  return { enabled: true, store: location, retentionDays: 400, sweepIntervalS, sweepReadShare: 0.2 };
}

/** A replica's own handle on the store at `location`: its own connection(s), migrated, no sweep timer. */
export async function openReplicaHistory(location: Location): Promise<OpenedHistory> {
  const database = await openDatabase(location);
  await migrateToLatest(database);
  const history = new History(new HistoryStore(database), HISTORY_RULES);
  return { history, migrated: [], close: () => history.close() };
}

export interface HistoryStack {
  stack: Stack;
  location: Location;
  opened: OpenedHistory;
  stop(): Promise<void>;
}

/** A subgraph stack (emulator + app) journaling into the store at `location`. */
export async function stackWithHistory(location: Location, options: StackOptions = {}): Promise<HistoryStack> {
  const opened = await openReplicaHistory(location);
  const stack = await startStack({ ...options, edits: { ...options.edits, history: opened.history } });
  return {
    stack,
    location,
    opened,
    async stop() {
      await stack.stop();
      await opened.close().catch(() => undefined);
    },
  };
}

/** Another replica of the subgraph: its own app and history handle, on the same emulator and store. */
export async function secondReplica(first: Stack, location: Location): Promise<{ url: string; graphql: Stack['graphql']; opened: OpenedHistory; stop(): Promise<void> }> {
  const opened = await openReplicaHistory(location);
  const app = await createApp({
    config: DEFAULT_CONFIG,
    graph: first.graph,
    logger: createLogger('silent'),
    history: opened.history,
  });
  const address = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}/graphql`;
  return {
    url,
    opened,
    graphql: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    async stop() {
      await app.close(1000);
      await opened.close().catch(() => undefined);
    },
  };
}

/**
 * One file's IdP and a subgraph stack behind inbound authentication, journaling into an embedded history file of
 * its own (the suites about who called): started before the file's tests, stopped after.
 */
export function useAuthenticatedHistory(): { readonly idp: TestIdp; readonly h: HistoryStack } {
  let idp: TestIdp | undefined;
  let h: HistoryStack | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    idp = await startTestIdp();
    const started = idp;
    dir = mkdtempSync(join(tmpdir(), 'esim-history-auth-'));
    h = await stackWithHistory({ kind: 'embedded', path: join(dir, 'history.db') }, { auth: (graph) => gateFor(started, graph) });
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await idp?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useAuthenticatedHistory: used before its beforeAll ran');
    return value;
  };
  return {
    get idp() {
      return started(idp);
    },
    get h() {
      return started(h);
    },
  };
}

/**
 * Operations run in-process through Apollo Server's executeOperation, with the subgraph's own schema, plugins and
 * error formatting (so errors read as clients see them), and a context built on an in-memory Graph API.
 */
import assert from 'node:assert/strict';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '../../src/auth/principal';
import { LocalPoolLocks } from '../../src/coordination/local';
import { createContext, type Context, type EditServices } from '../../src/graphql/context';
import { createApolloServer } from '../../src/http/apollo';
import { AuditLog } from '../../src/observability/audit';
import { createLogger } from '../../src/observability/logger';
import { DEFAULT_CONFIG } from './config';
import { FakeGraph } from './fake-graph';

export interface OperationResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface Operations {
  server: ApolloServer<Context>;
  /** The current test's Graph API (a fresh one before each test). */
  readonly graph: FakeGraph;
  /** Runs one operation (a fresh request context each time, as every HTTP request gets), by default on `graph`. */
  run(query: string, variables?: Record<string, unknown>, options?: { graph?: FakeGraph; principal?: Principal }): Promise<OperationResult>;
}

/**
 * For a test file: the subgraph's Apollo Server (not listening on HTTP), stopped after the file's tests, and
 * before each test a new Graph API made by `seed`.
 */
export function useOperations(seed: () => FakeGraph = () => new FakeGraph()): Operations {
  const logger = createLogger('silent');
  const server = createApolloServer({ config: DEFAULT_CONFIG, logger });
  // Shared by every operation of the file, as createApp shares them between requests.
  const edits: EditServices = { locks: new LocalPoolLocks(), audit: new AuditLog(logger), lockWaitMs: 1_000 };
  let graph = seed();
  let requests = 0;
  beforeEach(() => {
    graph = seed();
  });
  afterAll(() => server.stop());
  return {
    server,
    get graph() {
      return graph;
    },
    async run(query, variables, options = {}) {
      const contextValue = createContext(`test-${++requests}`, options.graph ?? graph, undefined, options.principal, edits);
      const response = await server.executeOperation({ query, variables }, { contextValue });
      // Every operation of this schema answers with a single result (no @defer, no subscriptions).
      assert(response.body.kind === 'single');
      return response.body.singleResult;
    },
  };
}

/** The `extensions.code` of each error, in order. */
export const codesOf = (result: OperationResult): unknown[] => (result.errors ?? []).map((e) => e.extensions?.code);

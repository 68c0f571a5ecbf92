/**
 * Operations run in-process through Apollo Server's executeOperation, with the subgraph's own schema, plugins and
 * error formatting (so errors read as clients see them), and a context built on an in-memory Graph API.
 */
import assert from 'node:assert/strict';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '../../src/auth/principal';
import { createContext, type Context } from '../../src/graphql/context';
import { createApolloServer } from '../../src/http/apollo';
import { createLogger } from '../../src/observability/logger';
import { FakeGraph } from './fake-graph';

export interface OperationResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface Operations {
  server: ApolloServer<Context>;
  /** Runs one operation against `graph` (a fresh request context each time, as every HTTP request gets). */
  run(query: string, variables?: Record<string, unknown>, options?: { graph?: FakeGraph; principal?: Principal }): Promise<OperationResult>;
  stop(): Promise<void>;
}

/** The subgraph's Apollo Server (not listening on HTTP) over `graph`. */
export function operationsOn(graph: () => FakeGraph): Operations {
  const server = createApolloServer({ config: { production: false, introspection: true }, logger: createLogger('silent') });
  let requests = 0;
  return {
    server,
    async run(query, variables, options = {}) {
      const contextValue = createContext(`test-${++requests}`, options.graph ?? graph(), undefined, options.principal);
      const response = await server.executeOperation({ query, variables }, { contextValue });
      // Every operation of this schema answers with a single result (no @defer, no subscriptions).
      assert(response.body.kind === 'single');
      return response.body.singleResult;
    },
    stop: () => server.stop(),
  };
}

/** The `extensions.code` of each error, in order. */
export const codesOf = (result: OperationResult): unknown[] => (result.errors ?? []).map((e) => e.extensions?.code);

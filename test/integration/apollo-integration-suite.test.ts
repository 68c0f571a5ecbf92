/**
 * Apollo Server's own integration test suite (@apollo/server-integration-testsuite, the version of the installed
 * @apollo/server) against the node:http integration of src/http/graphql-handler.ts, with no project code around
 * it: the suite brings its servers, schemas, plugins and contexts.
 *
 * Skipped: only the 24 tests the suite itself skips (@defer/@stream: those that need graphql 17, the project runs
 * graphql 16, and two that it runs only under INCREMENTAL_DELIVERY_TESTS_ENABLED). 246 run.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions, type BaseContext } from '@apollo/server';
import { defineIntegrationTestSuite, type CreateServerForIntegrationTestsOptions } from '@apollo/server-integration-testsuite';
import { nodeHttpHandler } from '../../src/http/graphql-handler';

async function createServerAndGetUrl(config: ApolloServerOptions<BaseContext>, options?: CreateServerForIntegrationTestsOptions) {
  const server = new ApolloServer(config);
  await server.start();
  const thunk = options?.context;
  const handle = nodeHttpHandler(server, { context: async () => (thunk ? thunk() : {}) });
  const httpServer = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/`,
    async extraCleanup() {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

describe('the node:http integration under Apollo Server integration test suite', () => {
  defineIntegrationTestSuite(createServerAndGetUrl);
});

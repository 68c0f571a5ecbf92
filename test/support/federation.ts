/**
 * A whole federated graph on loopback for the federation tests: the Graph emulator, this subgraph (the stack), the
 * directory subgraph, and @apollo/gateway in front of both — every hop real HTTP.
 *
 * The supergraph is composed the way rover does it: each subgraph's SDL is fetched over HTTP with
 * `_service { sdl }` and composed with @apollo/composition's composeServices.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { composeServices } from '@apollo/composition';
import { withoutCacheTags } from '../../scripts/compose-supergraph';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { parse } from 'graphql';
import { SILENT_LOGGER, startDirectorySubgraph, type DirectorySubgraph } from './directory-subgraph';
import { postGraphQL, startStack, type GraphQLReply, type Stack, type StackOptions } from './stack';

/** What the gateway keeps of the incoming request, to forward it to the subgraphs. */
export interface GatewayContext {
  requestId: string;
  authorization?: string;
}

/** The headers the router/gateway must forward to this subgraph (see docs/federation.md). */
export const FORWARDED_HEADERS = ['authorization', 'x-request-id'] as const;

/**
 * The gateway's subgraph client: forwards the caller's Authorization and the request id (the incoming
 * `x-request-id`, or a new one) to every subgraph, as the Apollo Router configuration in docs/federation.md does.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    const { requestId, authorization } = options.context as Partial<GatewayContext>;
    if (requestId) headers.set('x-request-id', requestId);
    if (authorization) headers.set('authorization', authorization);
  }
}

export async function fetchSubgraphSdl(url: string): Promise<string> {
  const reply = await postGraphQL(url, '{ _service { sdl } }');
  const service = reply.body.data?._service as { sdl?: unknown } | undefined;
  if (typeof service?.sdl !== 'string') throw new Error(`no _service.sdl from ${url}: ${JSON.stringify(reply.body)}`);
  return service.sdl;
}

/** composeServices over the subgraphs' live SDL; throws with the composition errors when it fails. */
export async function composeSupergraph(subgraphs: Array<{ name: string; url: string }>): Promise<string> {
  const services = await Promise.all(
    // @apollo/gateway refuses a supergraph with @cacheTag (Apollo Router's): composed without it (docs/federation.md).
    subgraphs.map(async ({ name, url }) => ({ name, url, typeDefs: withoutCacheTags(parse(await fetchSubgraphSdl(url))) })),
  );
  const result = composeServices(services);
  if (result.errors) throw new Error(`composition failed:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl;
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface Federation {
  stack: Stack;
  directory: DirectorySubgraph;
  /** The gateway's GraphQL endpoint. */
  url: string;
  supergraphSdl: string;
  /** Headers of every HTTP request this subgraph (the eSIM pools one) received. */
  readonly subgraphRequests: IncomingHttpHeaders[];
  graphql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLReply>;
  /** Clears the emulator (data and log), the directory's log and the subgraph's request log. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startFederation(options: StackOptions = {}): Promise<Federation> {
  const stack = await startStack(options);
  const directory = await startDirectorySubgraph();
  const subgraphRequests: IncomingHttpHeaders[] = [];
  stack.app.server.on('request', (req: { headers: IncomingHttpHeaders }) => subgraphRequests.push(req.headers));

  const supergraphSdl = await composeSupergraph([
    { name: 'esim-pools', url: stack.url },
    { name: 'directory', url: directory.url },
  ]);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) => new ForwardingDataSource({ url }),
    logger: SILENT_LOGGER,
  });
  const server = new ApolloServer<GatewayContext>({ gateway, csrfPrevention: true, logger: SILENT_LOGGER });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({
      requestId: headerOf(req.headers, 'x-request-id') ?? randomUUID(),
      authorization: headerOf(req.headers, 'authorization'),
    }),
  });
  // Composition and the gateway's own start-up fetched SDL: tests start from empty logs.
  stack.emulator.reset();
  directory.clear();
  subgraphRequests.length = 0;
  return {
    stack,
    directory,
    url,
    supergraphSdl,
    subgraphRequests,
    graphql: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    reset() {
      stack.emulator.reset();
      directory.clear();
      subgraphRequests.length = 0;
    },
    async stop() {
      await server.stop();
      await directory.stop();
      await stack.stop();
    },
  };
}

/**
 * Hive Gateway (its runtime, `@graphql-hive/gateway-runtime`, the engine of the `hive-gateway` CLI, run in-process
 * on node:http) in front of TWO replicas of this subgraph and the directory subgraph, every hop real HTTP:
 *
 *   client → Hive Gateway → esim-pools replica A or B (round-robin) → one Graph emulator (shared, ≥100 pools)
 *                         → directory (owns Group; hands out pool references with `pinnedPools(first:)`)
 *
 * The supergraph names one URL per subgraph (replica A's); in production a Kubernetes Service spreads the
 * connections over the pods. Here a gateway plugin (`onFetch`) rewrites each esim-pools fetch to the next replica,
 * so both replicas serve the same gateway. The replicas require ROUTER_SECRET; the gateway adds it for esim-pools
 * only, and forwards Authorization and x-request-id to every subgraph (the config docs/federation.md shows).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { parse } from 'graphql';
import { createGate } from '../../src/auth/gate';
import { DEFAULT_PERMISSIONS } from '../../src/auth/principal';
import { generatedPoolId, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { GraphClient } from '../../src/graph/client';
import { createApp, type App } from '../../src/http/app';
import { EmulatorCredential } from '../../src/identity/credential';
import { createLogger } from '../../src/observability/logger';
import { DEFAULT_CONFIG } from './config';
import { startDirectorySubgraph, SAMPLE_GROUP_NAMES, type DirectorySubgraph } from './directory-subgraph';
import { postGraphQL, type GraphQLReply } from './stack';

export const ROUTER_SECRET = 'hive-gateway-test-router-secret';
/** The generated pools the directory hands out (the emulator has exactly these besides the sample ones). */
export const PINNED_POOLS = Array.from({ length: 120 }, (_, i) => generatedPoolId(i));

export interface Replica {
  url: string;
  /** Headers of every HTTP request the replica received (as it saw them). */
  readonly requests: IncomingHttpHeaders[];
  app: App;
  graph: GraphClient;
}

/** One esim-pools fetch as the gateway sent it. */
export interface SubgraphFetch {
  replica: number;
  query: string;
  variables: Record<string, unknown>;
}

export interface HiveFederation {
  url: string;
  emulator: GraphEmulator;
  replicas: [Replica, Replica];
  directory: DirectorySubgraph;
  /** The esim-pools fetches, in order (bodies, from the gateway's side). */
  readonly fetches: SubgraphFetch[];
  graphql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLReply>;
  reset(): void;
  stop(): Promise<void>;
}

async function startReplica(emulator: GraphEmulator): Promise<Replica> {
  const graph = new GraphClient(emulator.url, new EmulatorCredential(), {
    scope: 'https://graph.microsoft.com/.default',
    timeoutMs: 10_000,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  const app = await createApp({
    config: DEFAULT_CONFIG,
    graph,
    logger: createLogger('silent'),
    auth: createGate({ permissions: DEFAULT_PERMISSIONS, routerSecret: ROUTER_SECRET }),
  });
  const requests: IncomingHttpHeaders[] = [];
  app.server.on('request', (req: { headers: IncomingHttpHeaders }) => requests.push(req.headers));
  const { port } = await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}/graphql`, requests, app, graph };
}

async function sdlOf(url: string, headers: Record<string, string> = {}): Promise<string> {
  const reply = await postGraphQL(url, '{ _service { sdl } }', undefined, headers);
  const sdl = (reply.body.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (typeof sdl !== 'string') throw new Error(`no _service.sdl from ${url}: ${JSON.stringify(reply.body)}`);
  return sdl;
}

/** Sends each esim-pools fetch to the next replica, and records what was sent. */
function roundRobin(primary: string, urls: readonly string[], fetches: SubgraphFetch[]): GatewayPlugin {
  let next = 0;
  return {
    onFetch(payload) {
      const { url, options } = payload;
      if (url !== primary) return;
      const replica = next;
      next = (next + 1) % urls.length;
      payload.setURL(urls[replica]);
      const body: unknown = typeof options.body === 'string' ? JSON.parse(options.body) : undefined;
      const { query, variables } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
      fetches.push({ replica, query: query ?? '', variables: variables ?? {} });
    },
  };
}

export async function startHiveFederation(): Promise<HiveFederation> {
  const emulator = await startGraphEmulator({ extraPools: PINNED_POOLS.length });
  const replicas: [Replica, Replica] = [await startReplica(emulator), await startReplica(emulator)];
  const directory = await startDirectorySubgraph(SAMPLE_GROUP_NAMES, { poolReferences: PINNED_POOLS });
  const composed = composeServices([
    { name: 'esim-pools', url: replicas[0].url, typeDefs: parse(await sdlOf(replicas[0].url, { 'router-authorization': ROUTER_SECRET })) },
    { name: 'directory', url: directory.url, typeDefs: parse(await sdlOf(directory.url)) },
  ]);
  if (composed.errors) throw new Error(`composition failed:\n${composed.errors.map((e) => e.message).join('\n')}`);
  const fetches: SubgraphFetch[] = [];
  const gateway = createGatewayRuntime({
    supergraph: composed.supergraphSdl,
    logging: process.env.HIVE_LOG ? (process.env.HIVE_LOG as 'debug') : false,
    propagateHeaders: {
      // What docs/federation.md tells operators to configure: the caller's token and the request id to every
      // subgraph, the router secret to esim-pools only.
      fromClientToSubgraphs: ({ request, subgraphName }) => ({
        authorization: request.headers.get('authorization'),
        'x-request-id': request.headers.get('x-request-id'),
        ...(subgraphName === 'esim-pools' ? { 'router-authorization': ROUTER_SECRET } : {}),
      }),
    },
    plugins: () => [roundRobin(replicas[0].url, replicas.map((r) => r.url), fetches)],
  });
  const server: Server = createServer(gateway.requestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const reset = (): void => {
    emulator.clearRequests();
    directory.clear();
    fetches.length = 0;
    for (const r of replicas) r.requests.length = 0;
  };
  reset();
  return {
    url,
    emulator,
    replicas,
    directory,
    fetches,
    graphql: (query, variables, headers) => postGraphQL(url, query, variables, headers),
    reset,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await gateway.dispose();
      await directory.stop();
      for (const r of replicas) {
        await r.app.close(1000);
        await r.graph.close();
      }
      await emulator.close();
    },
  };
}

// `npm run gateway`: Hive Gateway with its response cache over supergraph.graphql, and the example directory subgraph
// unless DIRECTORY_URL names one; settings (GATEWAY_PORT, GATEWAY_HOST, SUPERGRAPH, HIVE_LOG…): docs/federation.md.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import InMemoryLRUCache from '@graphql-mesh/cache-inmemory-lru';
import { startDirectory } from '../examples/directory-subgraph/server.mjs';

const env = process.env;

/** The supergraph with subgraph `name` routed to `url`. */
function routeTo(supergraph, name, url) {
  const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
  if (!pattern.test(supergraph)) throw new Error(`no subgraph ${name} in the supergraph`);
  return supergraph.replace(pattern, `$1${url}$2`);
}

/** The response cache's session: the caller's whole token (hashed), never a claim of it; none shares public entries. */
function session(request) {
  const authorization = request.headers.get('authorization');
  return authorization ? createHash('sha256').update(authorization).digest('base64url') : null;
}

let supergraph = readFileSync(env.SUPERGRAPH ?? new URL('../supergraph.graphql', import.meta.url), 'utf8');
const directory = env.DIRECTORY_URL ? undefined : await startDirectory({ port: Number(env.DIRECTORY_PORT ?? 4002) });
supergraph = routeTo(supergraph, 'directory', env.DIRECTORY_URL ?? directory.url);
if (env.ESIM_POOLS_URL) supergraph = routeTo(supergraph, 'esim-pools', env.ESIM_POOLS_URL);

const gateway = createGatewayRuntime({
  supergraph,
  logging: env.HIVE_LOG ?? 'warn',
  cache: new InMemoryLRUCache(),
  // TTLs: the subgraphs' Cache-Control max-age and the supergraph's @cacheControl hints, at most a minute.
  responseCaching: { session, ttl: 60_000 },
  propagateHeaders: {
    fromClientToSubgraphs: ({ request, subgraphName }) => ({
      authorization: request.headers.get('authorization'),
      'x-request-id': request.headers.get('x-request-id'),
      ...(subgraphName === 'esim-pools' && env.ROUTER_SECRET ? { 'router-authorization': env.ROUTER_SECRET } : {}),
    }),
  },
});

const server = createServer(gateway);
const host = env.GATEWAY_HOST ?? '127.0.0.1';
server.listen(Number(env.GATEWAY_PORT ?? 4080), host, () => {
  console.log(`Hive Gateway on http://${host}:${server.address().port}/graphql`);
});

async function stop() {
  server.closeAllConnections();
  server.close();
  await gateway.dispose();
  await directory?.stop();
  process.exit(0);
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

// A small directory subgraph (Apollo Server, @apollo/subgraph) that owns `Group` and names the emulator's sample
// groups, so `group { id displayName }` resolves through a gateway. `npm run gateway` starts it; alone:
//   node examples/directory-subgraph/server.mjs          (DIRECTORY_PORT, default 4002)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/** The emulator's sample groups (src/emulator/data.ts) and their names. */
const GROUPS = new Map([
  ['3a1f6c2e-8d4b-4e9a-b7c5-1d2e3f4a5b60', 'Field engineers (5G)'],
  ['c7e2d9a4-5f1b-4a8c-9e3d-6b7a8c9d0e21', 'Executives (excluded)'],
]);

/** A group by id; one the directory does not know (deleted) keeps its id and has no name. */
const group = (id) => ({ id, displayName: GROUPS.get(String(id).toLowerCase()) ?? null });

/** Starts the directory on `port` (0: any free port); resolves with its URL and a stop function. */
export async function startDirectory({ port = 4002, host = '127.0.0.1' } = {}) {
  const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));
  const schema = buildSubgraphSchema([
    {
      typeDefs,
      resolvers: {
        Query: { group: (_parent, args) => group(args.id) },
        Group: { __resolveReference: (ref) => group(ref.id) },
      },
    },
  ]);
  const server = new ApolloServer({ schema });
  const { url } = await startStandaloneServer(server, { listen: { port, host } });
  return { url, stop: () => server.stop() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startDirectory({ port: Number(process.env.DIRECTORY_PORT ?? 4002) });
  console.log(`directory subgraph on ${url}`);
}

/**
 * A small second subgraph for the federation tests: a "directory" that owns `Group { id displayName }` and resolves
 * the emulator's sample group ids to names. Real HTTP on loopback (Apollo Server's standalone node:http server);
 * it records every request it gets (headers and body) so tests can assert what the gateway sent it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { SAMPLE_GROUP_IDS } from '@esim-pools/graph-emulator';
import { isRecord } from '../../src/graph/json';

export const DIRECTORY_SDL_PATH = join(__dirname, '..', '..', 'examples', 'directory-subgraph', 'schema.graphql');

/** The names the directory gives the emulator's sample groups. */
export const SAMPLE_GROUP_NAMES: Readonly<Record<string, string>> = Object.freeze({
  [SAMPLE_GROUP_IDS[0]]: 'Field engineers (5G)',
  [SAMPLE_GROUP_IDS[1]]: 'Executives (excluded)',
});

export interface DirectoryRequest {
  /** Lower-case header names. */
  headers: Record<string, string>;
  query: string;
  variables: Record<string, unknown>;
}

export interface DirectorySubgraph {
  url: string;
  readonly requests: DirectoryRequest[];
  /** The `Group` representations received in `_entities` calls, one array per call. */
  entityCalls(): Array<Array<{ __typename: string; id: string }>>;
  clear(): void;
  stop(): Promise<void>;
}

interface GroupReference {
  id: string;
}

interface DirectoryContext {
  requestId?: string;
}

/** Apollo's Logger interface, quiet (the tests assert behaviour, not log lines). */
export const SILENT_LOGGER = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Extra SDL for a directory that also hands out pool references (`pinnedPools(first:)`): the gateway then fetches
 * the pools from this subgraph with `_entities`, as many as the client asks for (the Hive Gateway fan-out tests).
 */
const PINNED_POOLS_FIELD = `type Query {
  "References to the first \`first\` of the given pools (the pools subgraph resolves them)."
  pinnedPools(first: Int!): [EmbeddedSIMActivationCodePool!]!`;
const POOL_REFERENCE_SDL = `
  type EmbeddedSIMActivationCodePool @key(fields: "id", resolvable: false) {
    id: ID!
  }
`;

export async function startDirectorySubgraph(
  names: Readonly<Record<string, string>> = SAMPLE_GROUP_NAMES,
  /** poolReferences: the pool ids `pinnedPools` hands out; unset: no such field (the SDL of examples/directory-subgraph/schema.graphql). */
  options: { poolReferences?: readonly string[] } = {},
): Promise<DirectorySubgraph> {
  const pools = options.poolReferences;
  const sdl = readFileSync(DIRECTORY_SDL_PATH, 'utf8');
  const byId = new Map(Object.entries(names).map(([id, name]) => [id.toLowerCase(), name]));
  const group = (id: string) => {
    const displayName = byId.get(id.toLowerCase());
    return displayName === undefined ? null : { id, displayName };
  };
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(pools ? sdl.replace('type Query {', PINNED_POOLS_FIELD) + POOL_REFERENCE_SDL : sdl),
      resolvers: {
        Query: {
          group: (_: unknown, args: { id: string }) => group(args.id),
          ...(pools ? { pinnedPools: (_: unknown, args: { first: number }) => pools.slice(0, args.first).map((id) => ({ id })) } : {}),
        },
        Group: { __resolveReference: (ref: GroupReference) => group(ref.id) },
      },
    },
  ]);
  const requests: DirectoryRequest[] = [];
  const server = new ApolloServer<DirectoryContext>({ schema, csrfPrevention: true, logger: SILENT_LOGGER });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    async context({ req }) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const body: unknown = (req as { body?: unknown }).body;
      requests.push({
        headers,
        query: isRecord(body) && typeof body.query === 'string' ? body.query : '',
        variables: isRecord(body) && isRecord(body.variables) ? body.variables : {},
      });
      return { requestId: headers['x-request-id'] };
    },
  });
  return {
    url,
    requests,
    entityCalls() {
      return requests
        .filter((r) => r.query.includes('_entities'))
        .map((r) => (Array.isArray(r.variables.representations) ? r.variables.representations : []) as Array<{ __typename: string; id: string }>);
    },
    clear() {
      requests.length = 0;
    },
    stop: () => server.stop(),
  };
}

/** The `engine` scenario: CPU per operation of the subgraph's Apollo Server in process (jit, graphql-js, jit without
 * cache hints) on an in-memory Graph, in interleaved rounds; every reply checked for errors. */
import { createApolloServer } from '../../src/http/apollo';
import { LocalPoolLocks } from '../../src/coordination/local';
import { createContext, type EditServices } from '../../src/graphql/context';
import { DirectoryCache } from '../../src/graphql/targets';
import type { EsimPoolsApi } from '../../src/graph/api';
import type { WireAssignment, WireAssignmentInput, WirePool } from '../../src/graph/models';
import { AuditLog } from '../../src/observability/audit';
import { createLogger } from '../../src/observability/logger';
import type { GraphQLExecutor } from '../../src/config';

/** What the scenario compares: the two engines with the cache hints on (the default), and jit with them off. */
type EngineKey = GraphQLExecutor | 'jit, CACHE_MAX_AGE_S=0';

export interface EngineResult {
  operations: Array<{ name: string; cpuMsPerOperation: Record<EngineKey, number> }>;
  rounds: number;
  perRound: number;
}

const ENGINES: ReadonlyArray<{ key: EngineKey; executor: GraphQLExecutor; cacheMaxAgeS: number }> = [
  { key: 'graphql-js', executor: 'graphql-js', cacheMaxAgeS: 30 },
  { key: 'jit', executor: 'jit', cacheMaxAgeS: 30 },
  { key: 'jit, CACHE_MAX_AGE_S=0', executor: 'jit', cacheMaxAgeS: 0 },
];

function pool(id: string): WirePool {
  return {
    '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePool',
    id,
    displayName: `Pool ${id.slice(-4)}`,
    activationCodeCount: 100,
    createdDateTime: '2026-01-05T08:00:00Z',
    modifiedDateTime: '2026-01-06T09:30:00Z',
  };
}

/** Just the calls the two operations make, answered from memory; any other call throws. */
function inMemoryGraph(): EsimPoolsApi {
  const pools = Array.from({ length: 50 }, (_, i) => pool(`6f2c1b9e-4a3d-4c8e-9b1a-${String(i).padStart(12, '0')}`));
  let n = 0;
  const unused = (): never => {
    throw new Error('not used by the engine scenario');
  };
  return {
    assign: async (_poolId: string, inputs: WireAssignmentInput[]): Promise<WireAssignment[]> => inputs.map((input) => ({ id: `a-${++n}`, target: input.target })),
    getPools: async (ids: readonly string[]) => ids.map((id) => pool(id)),
    listPools: async () => ({ value: pools }),
    ...{ getPool: unused, listAssignments: unused, listDeviceStates: unused, getPoolsWithAssignments: unused, listAssignmentsOfPools: unused },
    ...{ listDeviceStatesOfPools: unused, createPool: unused, updatePool: unused, deletePool: unused, getDirectoryObjects: unused },
  };
}

/** `operations`: each one's HTTP request body, `{ query, variables }`. */
export async function engineScenario(operations: ReadonlyArray<{ name: string; body: string }>, rounds: number, perRound: number, log: (line: string) => void): Promise<EngineResult> {
  log(`\n== engine: Apollo + execution in process, no HTTP and no Graph; ${rounds} interleaved rounds of ${perRound} operations per engine`);
  const logger = createLogger('silent');
  // Target checks off, as in the HTTP scenarios (a check is a Graph call the forwarder does not make).
  const edits: EditServices = { locks: new LocalPoolLocks(), audit: new AuditLog(logger), lockWaitMs: 1_000, targets: { mode: 'off', cache: new DirectoryCache(0) } };
  const graph = inMemoryGraph();
  const servers = ENGINES.map(({ key, executor, cacheMaxAgeS }) => ({
    key,
    server: createApolloServer({ config: { production: true, introspection: false, executor, federation: { cacheMaxAgeS, privateScope: false } }, logger }),
  }));
  for (const { server } of servers) await server.start();
  const result: EngineResult = { operations: [], rounds, perRound };
  try {
    for (const operation of operations) {
      const { query, variables } = JSON.parse(operation.body) as { query: string; variables: Record<string, unknown> };
      let requests = 0;
      const run = async (index: number, count: number): Promise<void> => {
        const { server } = servers[index];
        for (let i = 0; i < count; i++) {
          const contextValue = createContext(`engine-${++requests}`, graph, undefined, undefined, edits);
          const response = await server.executeOperation({ query, variables }, { contextValue });
          if (response.body.kind !== 'single' || response.body.singleResult.errors !== undefined) {
            throw new Error(`engine scenario: ${operation.name} failed on ${servers[index].key}: ${JSON.stringify(response.body).slice(0, 500)}`);
          }
        }
      };
      for (let index = 0; index < servers.length; index++) await run(index, Math.min(300, perRound)); // warm-up
      const cpu = servers.map(() => 0);
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < servers.length; k++) {
          const index = (k + round) % servers.length;
          const before = process.cpuUsage();
          await run(index, perRound);
          const used = process.cpuUsage(before);
          cpu[index] += (used.user + used.system) / 1000;
        }
      }
      const perOperation = Object.fromEntries(servers.map(({ key }, index) => [key, cpu[index] / (rounds * perRound)])) as Record<EngineKey, number>;
      result.operations.push({ name: operation.name, cpuMsPerOperation: perOperation });
      log(`  ${operation.name}: ${ENGINES.map(({ key }) => `${key} ${perOperation[key].toFixed(3)} ms`).join(', ')} CPU per operation`);
    }
  } finally {
    for (const { server } of servers) await server.stop();
  }
  return result;
}

/**
 * The compiled executor (graphql-jit) against graphql-js: the same operations through two Apollo Servers of the
 * subgraph, one per GRAPHQL_EXECUTOR, each on its own copy of the same in-memory Graph API, must give the same
 * replies byte for byte and make the same Graph calls — data, nulls that bubble, error messages, paths, locations
 * and codes, abstract types, fragments, directives, federation's `_entities` and `_service`, introspection. Then
 * which engine ran: jit for what it compiles, graphql-js for variable errors and for requests with per-field hooks.
 */
import assert from 'node:assert/strict';
import type { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { LocalPoolLocks } from '../../src/coordination/local';
import { GraphError } from '../../src/graph/errors';
import { createContext, type Context, type EditServices } from '../../src/graphql/context';
import { documentBytes } from '../../src/graphql/document-size';
import { compiledExecution } from '../../src/graphql/executor';
import { buildSchema } from '../../src/graphql/schema';
import { createApolloServer } from '../../src/http/apollo';
import { AuditLog } from '../../src/observability/audit';
import { createLogger } from '../../src/observability/logger';
import { DEFAULT_CONFIG } from '../support/config';
import { FakeGraph, wire } from '../support/fake-graph';

const P1 = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';
const P2 = '0b7e4c2d-1f3a-4b6c-8d9e-3a4b5c6d7e02';
const P3 = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03';
const MISSING = '00000000-0000-4000-8000-000000000000';
const GROUP = '1a2b3c4d-0000-4000-8000-000000000001';
const OTHER_GROUP = '1a2b3c4d-0000-4000-8000-000000000002';

function seed(): FakeGraph {
  return new FakeGraph()
    .addPool(
      wire.pool(P1, 'Field devices'),
      [
        wire.assignment('a1', { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: GROUP }),
        wire.assignment('a2', { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' }),
      ],
      [wire.deviceState('d1', 'Laptop 1'), wire.deviceState('d2', 'Laptop 2'), wire.deviceState('d3', 'Laptop 3')],
    )
    .addPool(wire.pool(P2), [wire.assignment('b1', { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget', groupId: OTHER_GROUP })])
    .addPool(wire.pool(P3));
}

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Makes a Graph method fail on both copies. */
  failing?: (graph: FakeGraph) => void;
}

const TARGET = `target { __typename odataType filterType filterId ... on GroupAssignmentTarget { groupId } ... on ExclusionGroupAssignmentTarget { groupId } }`;

const CASES: Case[] = [
  {
    name: 'a pool with every scalar, aliases and __typename',
    query: `query One($id: ID!) { first: embeddedSIMActivationCodePool(id: $id) { __typename id name: displayName activationCodeCount createdDateTime modifiedDateTime } none: embeddedSIMActivationCodePool(id: "${MISSING}") { id } }`,
    variables: { id: P1 },
  },
  {
    name: 'the pools connection with @include / @skip from variables',
    query: `query Pools($first: Int, $withCursor: Boolean!, $noInfo: Boolean!) {
      embeddedSIMActivationCodePools(first: $first) {
        edges { cursor @include(if: $withCursor) node { id displayName } }
        pageInfo @skip(if: $noInfo) { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`,
    variables: { first: 2, withCursor: true, noInfo: false },
  },
  {
    name: 'assignments through an interface, inline and named fragments',
    query: `fragment T on DeviceAndAppManagementAssignmentTarget { __typename filterType ... on GroupAssignmentTarget { groupId } }
      fragment A on EmbeddedSIMActivationCodePool { assignments { id target { ...T } } assignmentsVersion }
      query { embeddedSIMActivationCodePool(id: "${P1}") { id ...A ... on EmbeddedSIMActivationCodePool { displayName } } }`,
  },
  {
    name: 'device states, a page of them',
    query: `{ embeddedSIMActivationCodePool(id: "${P1}") { deviceStates(first: 2) { edges { cursor node { id deviceName state } } pageInfo { hasNextPage endCursor } } } }`,
  },
  {
    name: "federation's _entities: found, missing, and a type this subgraph does not have",
    query: `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on EmbeddedSIMActivationCodePool { id displayName assignments { id ${TARGET} } } } }`,
    variables: { r: [{ __typename: 'EmbeddedSIMActivationCodePool', id: P1 }, { __typename: 'EmbeddedSIMActivationCodePool', id: MISSING }, { __typename: 'Device', id: 'x' }] },
  },
  {
    // The last item's promise rejects (no GUID) while the first still waits for its loader: graphql-jit left that
    // item out, so `_entities` had fewer entries than representations.
    name: '_entities whose last reference is refused while the first is still loading',
    query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id } } }',
    variables: { r: [{ __typename: 'EmbeddedSIMActivationCodePool', id: P1 }, { __typename: 'EmbeddedSIMActivationCodePool', id: P2 }, { __typename: 'EmbeddedSIMActivationCodePool', id: 'not-a-guid' }] },
  },
  { name: "federation's _service", query: '{ _service { sdl } }' },
  { name: 'introspection', query: '{ __schema { queryType { name } mutationType { name } } __type(name: "PageInfo") { kind fields { name type { kind ofType { name } } } } }' },
  {
    name: 'assign, with the pool and the new assignments',
    query: `mutation ($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
      assignEmbeddedSIMActivationCodePool(poolId: $poolId, assignments: $assignments) { pool { id displayName } assignments { id ${TARGET} } }
    }`,
    variables: { poolId: P2, assignments: [{ target: { kind: 'GROUP', groupId: GROUP } }, { target: { kind: 'ALL_DEVICES' } }] },
  },
  {
    name: 'add, as a dry run',
    query: `mutation ($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) {
      addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments, dryRun: true) { dryRun assignmentsVersion added { __typename } updated { __typename } pool { id } }
    }`,
    variables: { poolId: P1, assignments: [{ target: { kind: 'EXCLUSION_GROUP', groupId: OTHER_GROUP } }] },
  },
  {
    name: "a resolver's own refusal (an id that is not a GUID): BAD_USER_INPUT naming the field",
    query: '{ embeddedSIMActivationCodePool(id: "../../users") { id } }',
  },
  {
    name: 'a Graph failure under a non-null field: the null bubbles up, the error keeps its path and code',
    query: `{ embeddedSIMActivationCodePool(id: "${P1}") { id assignments { id } } other: embeddedSIMActivationCodePool(id: "${P2}") { id } }`,
    failing: (graph) => graph.fail('listAssignmentsOfPools', new GraphError('Too many requests', { kind: 'throttled', status: 429, retryAfterSeconds: 7 })),
  },
  {
    name: 'a Graph 404 on a mutation',
    query: `mutation { assignEmbeddedSIMActivationCodePool(poolId: "${P3}", assignments: []) { assignments { id } } }`,
    failing: (graph) => graph.fail('assign', new GraphError('Resource not found', { kind: 'http', status: 404, code: 'ResourceNotFound', requestId: 'graph-req-1' })),
  },
  {
    name: "a variable of the wrong kind: graphql-js's coercion message",
    query: 'query ($first: Int) { embeddedSIMActivationCodePools(first: $first) { edges { node { id } } } }',
    variables: { first: 'twenty' },
  },
  {
    name: 'an enum value that does not exist, deep in an input',
    query: `mutation ($assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) { assignEmbeddedSIMActivationCodePool(poolId: "${P1}", assignments: $assignments) { assignments { id } } }`,
    variables: { assignments: [{ target: { kind: 'EVERYONE' } }] },
  },
];

const logger = createLogger('silent');
const edits: EditServices = { locks: new LocalPoolLocks(), audit: new AuditLog(logger), lockWaitMs: 1_000 };
const servers: Record<'jit' | 'graphql-js', ApolloServer<Context>> = {
  jit: createApolloServer({ config: { ...DEFAULT_CONFIG, executor: 'jit' }, logger }),
  'graphql-js': createApolloServer({ config: { ...DEFAULT_CONFIG, executor: 'graphql-js' }, logger }),
};
afterAll(() => Promise.all(Object.values(servers).map((server) => server.stop())));

async function run(engine: 'jit' | 'graphql-js', testCase: Case): Promise<{ reply: string; calls: string }> {
  const graph = seed();
  testCase.failing?.(graph);
  const contextValue = createContext('test-1', graph, undefined, undefined, edits);
  const response = await servers[engine].executeOperation({ query: testCase.query, variables: testCase.variables }, { contextValue });
  assert(response.body.kind === 'single');
  const reply = JSON.stringify({ status: response.http.status, ...response.body.singleResult });
  return { reply, calls: JSON.stringify(graph.calls.map((call) => [call.method, call.args])) };
}

describe('graphql-jit and graphql-js give the same replies', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    // The jit server compiles a document on its second execution: the first is graphql-js's.
    await run('jit', testCase);
    const jit = await run('jit', testCase);
    const js = await run('graphql-js', testCase);
    expect(jit.reply).toBe(js.reply);
    expect(jit.calls).toBe(js.calls);
    // Not vacuous: every case answered data or errors.
    expect(jit.reply).toMatch(/"data":\{|"errors":\[\{/);
  });
});

describe('which engine runs', () => {
  const schema = buildSchema();
  const context = (): object => createContext('test-2', seed(), undefined, undefined, edits);
  const POOL = parse(`query Pool($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id displayName } }`);

  const pool = (execution: ReturnType<typeof compiledExecution>, id: unknown, contextValue = context()) =>
    execution.run({ document: POOL, variables: { id }, contextValue });

  it('graphql-js for the first execution of a document, jit from the second on, compiled once', async () => {
    const execution = compiledExecution(schema);
    for (let i = 0; i < 4; i++) {
      expect(await pool(execution, P1)).toEqual({ data: { embeddedSIMActivationCodePool: { id: P1, displayName: 'Field devices' } } });
    }
    expect(execution.stats).toEqual({ compiled: 1, jit: 3, graphqlJs: 1 });
  });

  it('compileAfter: 0 compiles at once; a document sent once with the default is never compiled', async () => {
    const eager = compiledExecution(schema, { compileAfter: 0 });
    await pool(eager, P1);
    expect(eager.stats).toEqual({ compiled: 1, jit: 1, graphqlJs: 0 });
    const lazy = compiledExecution(schema);
    for (let i = 0; i < 5; i++) await lazy.run({ document: parse(`{ embeddedSIMActivationCodePool(id: "${P1}") { id } }`), contextValue: context() });
    expect(lazy.stats).toEqual({ compiled: 0, jit: 0, graphqlJs: 5 });
  });

  it('keeps at most maxCompiledBytes of documents (their tokens counted), and never one larger than that', async () => {
    const documents = [1, 2, 3].map((n) => parse(`query Q${n}($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id } }`));
    // Each counts its document and its one compiled operation: room for two.
    const execution = compiledExecution(schema, { compileAfter: 0, maxCompiledBytes: 4 * documentBytes(documents[0]) });
    const runDocument = (document: (typeof documents)[number]) => execution.run({ document, variables: { id: P1 }, contextValue: context() });
    for (const document of documents) await runDocument(document); // the third drops the first
    await runDocument(documents[2]);
    expect(execution.stats.compiled).toBe(3);
    await runDocument(documents[0]);
    expect(execution.stats.compiled).toBe(4);

    const tiny = compiledExecution(schema, { compileAfter: 0, maxCompiledBytes: documentBytes(documents[0]) });
    for (let i = 0; i < 2; i++) await tiny.run({ document: documents[0], variables: { id: P1 }, contextValue: context() });
    expect(tiny.stats).toEqual({ compiled: 2, jit: 2, graphqlJs: 0 });
  });

  it('keeps at most maxCompiled documents, dropping the least recently used', async () => {
    const execution = compiledExecution(schema, { compileAfter: 0, maxCompiled: 2 });
    const documents = [1, 2, 3].map((n) => parse(`query Q${n}($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id } }`));
    const runDocument = (document: (typeof documents)[number]) => execution.run({ document, variables: { id: P1 }, contextValue: context() });
    await runDocument(documents[0]);
    await runDocument(documents[1]);
    await runDocument(documents[0]); // documents[1] is now the least recently used
    await runDocument(documents[2]); // drops documents[1]
    await runDocument(documents[0]); // still compiled
    expect(execution.stats.compiled).toBe(3);
    await runDocument(documents[1]); // compiled again
    expect(execution.stats.compiled).toBe(4);
    expect(execution.stats.graphqlJs).toBe(0);
  });

  it("graphql-js for variables jit refuses, with graphql-js's message", async () => {
    const execution = compiledExecution(schema, { compileAfter: 0 });
    const result = await pool(execution, null);
    expect(result.data).toBeUndefined();
    expect(result.errors?.map((e) => e.message)).toEqual(['Variable "$id" of non-null type "ID!" must not be null.']);
    expect(execution.stats).toEqual({ compiled: 1, jit: 1, graphqlJs: 1 });
  });

  it("graphql-js when a plugin asked Apollo for per-field hooks (the router's inline trace)", async () => {
    const execution = compiledExecution(schema, { compileAfter: 0 });
    const contextValue = context();
    Object.defineProperty(contextValue, Symbol('apolloServerExecutionDispatcherWillResolveField'), { value: () => undefined });
    const result = await pool(execution, P2, contextValue);
    expect(result.errors).toBeUndefined();
    expect(execution.stats).toEqual({ compiled: 1, jit: 0, graphqlJs: 1 });
  });
});

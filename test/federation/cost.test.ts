/**
 * Demand-control cost (src/graphql/cost.ts, Apollo Router's `static_estimated` algorithm) against Apollo's own
 * documented examples, then priced as the router prices an operation — the query plan of the composed supergraph,
 * each subgraph fetch scored against its subgraph's `@cost`/`@listSize` — and compared with the Graph requests the
 * emulator counts when this subgraph runs the very fetch the plan sends it. And the subgraph's own MAX_COST limit
 * uses the same price.
 */
import { operationFromDocument, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode, type SubscriptionNode } from '@apollo/query-planner';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { buildSchema, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { composeSupergraph } from '../../scripts/compose-supergraph';
import { generatedPoolId, SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import type { RecordedRequest } from '@esim-pools/graph-emulator';
import { compileCost, CostError, type CostOptions } from '../../src/graphql/cost';
import { startStack, type Stack } from '../support/stack';

/** The cost of `document` for `variables` (compiled and priced at once). */
function operationCost(schema: GraphQLSchema, document: DocumentNode, { variables = {}, ...options }: CostOptions & { variables?: Record<string, unknown> }): number {
  return compileCost(schema, document, options)(variables);
}

/** Apollo's demand-control page: the Book schema and its examples, with the costs the page gives. */
describe("compileCost on Apollo's documented examples", () => {
  const schema = buildSchema(`
    directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
    directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
    type Query {
      book(id: ID): Book
      bestsellers: [Book] @listSize(assumedSize: 5)
      newestAdditions(after: ID, limit: Int!): [Book] @listSize(slicingArguments: ["limit"])
    }
    type Mutation { addBook(title: String): Book }
    type Book { title: String author: Author publisher: Publisher }
    type Author { name: String }
    type Publisher { name: String address: Address }
    type Address @cost(weight: 5) { zipCode: Int! }
  `);
  const selection = 'title author { name } publisher { name address { zipCode } }';
  const cost = (query: string, variables?: Record<string, unknown>) => operationCost(schema, parse(query), { defaultListSize: 10, variables });

  it.each([
    ['one book (Address @cost 5)', `{ book(id: 1) { ${selection} } }`, 8],
    ['bestsellers, assumedSize 5', `{ bestsellers { ${selection} } }`, 40],
    ['newestAdditions(limit: 3)', `{ newestAdditions(limit: 3) { ${selection} } }`, 24],
    ['newestAdditions(limit: 7)', `{ newestAdditions(limit: 7) { ${selection} } }`, 56],
    ['a mutation costs 10 more', `mutation { addBook(title: "x") { title } }`, 11],
    ['__typename and skipped fields are free', `{ book(id: 1) { __typename author @skip(if: true) { name } } }`, 1],
  ])('%s', (_name, query, expected) => {
    expect(cost(query)).toBe(expected);
  });

  it('a slicing argument given as a variable', () => {
    expect(cost(`query ($n: Int!) { newestAdditions(limit: $n) { ${selection} } }`, { n: 2 })).toBe(16);
  });

  it('compiled once per document, then priced for each request\'s variables (sizes and slicing errors included)', () => {
    const plan = compileCost(schema, parse(`query ($n: Int) { newestAdditions(limit: $n) { ${selection} } book(id: 1) { title } }`), { defaultListSize: 10 });
    expect(plan({ n: 2 })).toBe(17);
    expect(plan({ n: 7 })).toBe(57);
    expect(() => plan({})).toThrow(CostError);
  });

  it('nested fragments spread twice each: counted 2^n times, walked once each', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) => (i === levels - 1 ? `fragment F${i} on Book { title author { name } }` : `fragment F${i} on Book { ...F${i + 1} ...F${i + 1} }`));
    expect(cost(`query ($n: Int!) { newestAdditions(limit: $n) { ...F0 } } ${fragments.join(' ')}`, { n: 1 })).toBe(1 + 2 ** (levels - 1));
  });
});

/** Every fetch of a query plan, in order. */
function fetchesOf(node: PlanNode | SubscriptionNode | undefined): FetchNode[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node];
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetchesOf);
    case 'Flatten':
      return fetchesOf(node.node);
    default:
      throw new Error(`unexpected plan node ${node.kind}`);
  }
}

/** Graph requests since `since`, a $batch counted as its items (Intune's budget counts each). */
function graphRequests(requests: readonly RecordedRequest[], since: number): number {
  return requests.slice(since).reduce((n, r) => n + (r.batchItems?.length ?? 1), 0);
}

const POOL = SAMPLE_POOLS[0].id;

/** Operations and the Graph requests they really make (checked below against the emulator). */
const OPERATIONS: Array<{ name: string; query: string; variables?: Record<string, unknown>; mutation?: boolean }> = [
  { name: 'a pool', query: `{ embeddedSIMActivationCodePool(id: "${POOL}") { id displayName activationCodeCount } }` },
  { name: 'a pool with its device states', query: `{ embeddedSIMActivationCodePool(id: "${POOL}") { id deviceStates(first: 5) { totalCount edges { node { id state } } } } }` },
  { name: '5 pools', query: '{ embeddedSIMActivationCodePools(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id displayName } } } }' },
  { name: '5 pools with their assignments', query: '{ embeddedSIMActivationCodePools(first: 5) { edges { node { id assignments { id target { __typename filterType } } } } } }' },
  { name: '$n pools with a page of device states each', query: 'query ($n: Int) { embeddedSIMActivationCodePools(first: $n) { edges { node { id deviceStates(first: 2) { edges { node { id } } } } } } }', variables: { n: 4 } },
  {
    name: "3 pools' assignments with their groups (the directory's fetch costs no Graph request)",
    query: '{ embeddedSIMActivationCodePools(first: 3) { edges { node { id assignments { target { ... on GroupAssignmentTarget { group { id displayName } } } } } } } }',
  },
  {
    name: 'the assign mutation',
    query: `mutation { assignEmbeddedSIMActivationCodePool(poolId: "${SAMPLE_POOLS[1].id}", assignments: [{ target: { kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" } }]) { pool { id } assignments { id } } }`,
    mutation: true,
  },
  { name: 'a rename', query: `mutation { updateEmbeddedSIMActivationCodePool(id: "${POOL}", input: { displayName: "Renamed" }) { pool { id displayName } } }`, mutation: true },
];

describe('the composed supergraph, priced as Apollo Router prices it, against the Graph requests the emulator counts', () => {
  const composed = composeSupergraph();
  // The features Apollo Router supports (@cacheTag among them), as the router loads the supergraph.
  const supergraph = Supergraph.build(composed.supergraphSdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES });
  const planner = new QueryPlanner(supergraph);
  const schemas = new Map<string, GraphQLSchema>(composed.subgraphs.map((s) => [s.name, buildSubgraphSchema([{ typeDefs: s.typeDefs }])]));
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ emulator: { extraPools: 10 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => stack.emulator.reset());

  const rows: string[] = [];
  afterAll(() => console.log(`operation | router's estimate for esim-pools | Graph requests\n${rows.join('\n')}`));

  it.each(OPERATIONS.map((o) => [o.name, o] as const))('%s', async (_name, { query, variables = {}, mutation }) => {
    const plan = planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(query)));
    const fetches = fetchesOf(plan.node);
    const own = fetches.filter((f) => f.serviceName === 'esim-pools');
    // Every operation here starts at this subgraph; another subgraph's fetches come after (they cost no Graph call).
    expect(own).toHaveLength(1);
    expect(fetches[0].serviceName).toBe('esim-pools');
    const schema = schemas.get('esim-pools');
    if (!schema) throw new Error('no esim-pools schema');
    const estimate = operationCost(schema, parse(own[0].operation), { variables, defaultListSize: 100 });

    const reply = await stack.graphql(own[0].operation, variables);
    expect(reply.body.errors).toBeUndefined();
    const requests = graphRequests(stack.emulator.requests, 0);
    rows.push(`${_name} | ${estimate} | ${requests}`);
    if (mutation) {
      // Apollo adds 10 to any mutation; the rest is an upper bound (the payload's pool may be read back).
      expect(estimate - 10).toBeGreaterThanOrEqual(requests);
      expect(estimate - 10).toBeLessThanOrEqual(requests + 1);
    } else {
      // Queries: the estimate is the Graph requests, exactly (lists sized by `first`, at least that many pools).
      expect(estimate).toBe(requests);
    }
  });

  it('the subgraph refuses, before any Graph call, an operation priced above MAX_COST (1000 Graph requests)', async () => {
    const page = 'embeddedSIMActivationCodePools(first: 100) { edges { node { id assignments { id } assignmentsVersion deviceStates(first: 100) { edges { node { id } } } } } }';
    const query = `{ a: ${page} b: ${page} c: ${page} d: ${page} }`;
    expect(operationCost(schemas.get('esim-pools') as GraphQLSchema, parse(query), { defaultListSize: 100 })).toBe(1204);
    const reply = await stack.graphql(query);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]).toMatchObject({ message: 'The operation costs 1204, 204 over the limit of 1000 (MAX_COST).', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(stack.emulator.requests).toHaveLength(0);
    // Three of them are within the limit.
    const fine = await stack.graphql(`{ a: ${page.replace(/100/g, '2')} }`);
    expect(fine.body.errors).toBeUndefined();
  });

  it('_entities is priced by its representations: 400 pools with assignments and version cost 1200', async () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id assignments { id } assignmentsVersion } } }';
    const r = Array.from({ length: 400 }, (_, i) => ({ __typename: 'EmbeddedSIMActivationCodePool', id: generatedPoolId(i) }));
    const reply = await stack.graphql(query, { r });
    expect(reply.body.errors?.[0].message).toBe('The operation costs 1200, 200 over the limit of 1000 (MAX_COST).');
    expect(stack.emulator.requests).toHaveLength(0);
    const fine = await stack.graphql(query, { r: r.slice(0, 300) });
    expect(fine.body.errors).toBeUndefined();
  });
});

/**
 * What the subgraph tells caches: each reply's `Cache-Control` from the schema's `@cacheControl` hints (Apollo's
 * cache-control plugin), CACHE_MAX_AGE_S and the obo mode's PRIVATE in the hints it serves, and the router's
 * response cache invalidated after every write (a fake Apollo Router invalidation endpoint on loopback).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { invalidate, invalidationBody } from '../../src/http/invalidation';
import { createLogger } from '../../src/observability/logger';
import { Metrics } from '../../src/observability/metrics';
import { memoryLogger } from '../support/auth';
import { startStack, type Stack } from '../support/stack';

const POOL = SAMPLE_POOLS[0].id;
const READS: Array<[string, string, Record<string, unknown> | undefined]> = [
  ['a pool', `{ embeddedSIMActivationCodePool(id: "${POOL}") { id displayName assignments { id target { __typename ... on GroupAssignmentTarget { group { id } } } } } }`, undefined],
  ['the pools list with device states', '{ embeddedSIMActivationCodePools(first: 2) { totalCount pageInfo { hasNextPage } edges { cursor node { id deviceStates(first: 1) { edges { node { id state } } } } } } }', undefined],
  ['_entities', 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id assignmentsVersion } } }', { r: [{ __typename: 'EmbeddedSIMActivationCodePool', id: SAMPLE_POOLS[1].id }] }],
];
const NOT_CACHEABLE: Array<[string, string]> = [
  ['the assign mutation', `mutation { assignEmbeddedSIMActivationCodePool(poolId: "${SAMPLE_POOLS[1].id}", assignments: [{ target: { kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" } }]) { pool { id } assignments { id } } }`],
  ['a dry-run edit (a mutation)', `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: ALL_DEVICES } }], dryRun: true) { dryRun } }`],
  ['a resolver error', '{ embeddedSIMActivationCodePool(id: "not-a-guid") { id } }'],
  ['a validation error', '{ noSuchField }'],
  ['_service', '{ _service { sdl } }'],
  ['__typename only', '{ __typename }'],
];

describe('Cache-Control from the schema hints (default CACHE_MAX_AGE_S=30, app or emulator mode: public)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(READS)('%s: max-age=30, public', async (_name, query, variables) => {
    const reply = await stack.graphql(query, variables);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.headers['cache-control']).toBe('max-age=30, public');
  });

  it.each(NOT_CACHEABLE)('%s: no-store', async (_name, query) => {
    const reply = await stack.graphql(query);
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  // The policy is worked out once per document (src/graphql/cache-policy.ts); these give what Apollo's per-field
  // plugin gives (each was checked against it), through fragments, abstract types, conditions and data.
  const UNKNOWN_POOL = '00000000-0000-4000-8000-000000000404';
  const BY_SHAPE: Array<[string, string, Record<string, unknown> | undefined, string]> = [
    [
      'a named fragment with an inline fragment on a concrete target type',
      `query { embeddedSIMActivationCodePool(id: "${POOL}") { ...P } } fragment P on EmbeddedSIMActivationCodePool { id assignments { target { ... on GroupAssignmentTarget { groupId group { id } } } } }`,
      undefined,
      'max-age=30, public',
    ],
    [
      'fields of an interface and a fragment on the interface itself',
      `{ embeddedSIMActivationCodePool(id: "${POOL}") { assignments { target { filterType ... on DeviceAndAppManagementAssignmentTarget { odataType } } } } }`,
      undefined,
      'max-age=30, public',
    ],
    ['two root fields under aliases, with __typename', `{ __typename a: embeddedSIMActivationCodePool(id: "${POOL}") { id } b: embeddedSIMActivationCodePools(first: 1) { totalCount } }`, undefined, 'max-age=30, public'],
    ['a field under @include($var), included', 'query ($s: Boolean!) { embeddedSIMActivationCodePools(first: 1) { edges { node { id deviceStates(first: 1) @include(if: $s) { totalCount } } } } }', { s: true }, 'max-age=30, public'],
    ['a root field under @skip($var), skipped: nothing hinted resolves', `query ($s: Boolean!) { __typename embeddedSIMActivationCodePool(id: "${POOL}") @skip(if: $s) { id } }`, { s: true }, 'no-store'],
    ['the same, not skipped', `query ($s: Boolean!) { __typename embeddedSIMActivationCodePool(id: "${POOL}") @skip(if: $s) { id } }`, { s: false }, 'max-age=30, public'],
    ['a field without a hint under an unknown pool (null: it never resolves)', `{ embeddedSIMActivationCodePool(id: "${UNKNOWN_POOL}") { id assignmentHistory(first: 1) { pageInfo { hasNextPage } } } }`, undefined, 'max-age=30, public'],
    ['_entities without representations', 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id } } }', { r: [] }, 'no-store'],
    ['_entities with a representation written in the document', `{ _entities(representations: [{ __typename: "EmbeddedSIMActivationCodePool", id: "${POOL}" }]) { ... on EmbeddedSIMActivationCodePool { id } } }`, undefined, 'max-age=30, public'],
    ['introspection', '{ __schema { queryType { name } } }', undefined, 'no-store'],
  ];

  it.each(BY_SHAPE)('%s', async (_name, query, variables, expected) => {
    const reply = await stack.graphql(query, variables);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.headers['cache-control']).toBe(expected);
  });

  it('an unknown pool (null) is cacheable like a known one', async () => {
    const reply = await stack.graphql('{ embeddedSIMActivationCodePool(id: "00000000-0000-4000-8000-000000000404") { id } }');
    expect(reply.body.data?.embeddedSIMActivationCodePool).toBeNull();
    expect(reply.headers['cache-control']).toBe('max-age=30, public');
  });
});

describe('CACHE_MAX_AGE_S and on-behalf-of mode', () => {
  it('CACHE_MAX_AGE_S=120 in obo mode: max-age=120, private, and _service { sdl } says so', async () => {
    const stack = await startStack({ config: { federation: { cacheMaxAgeS: 120, privateScope: true } } });
    try {
      const reply = await stack.graphql(READS[0][1]);
      expect(reply.headers['cache-control']).toBe('max-age=120, private');
      const sdl = (await stack.graphql('{ _service { sdl } }')).body.data?._service as { sdl: string };
      expect(sdl.sdl).toContain('@cacheControl(maxAge: 120, scope: PRIVATE)');
      expect(sdl.sdl).toContain('@cacheControl(inheritMaxAge: true, scope: PRIVATE)');
      expect(sdl.sdl).not.toContain('maxAge: 30');
    } finally {
      await stack.stop();
    }
  });

  it('CACHE_MAX_AGE_S=0: every reply no-store', async () => {
    const stack = await startStack({ config: { federation: { cacheMaxAgeS: 0, privateScope: false } } });
    try {
      for (const [, query, variables] of READS) expect((await stack.graphql(query, variables)).headers['cache-control']).toBe('no-store');
    } finally {
      await stack.stop();
    }
  });

  it('loadConfig: defaults, bad values name the variable, the URL needs its secret', () => {
    expect(loadConfig({}).federation).toEqual({ cacheMaxAgeS: 30, privateScope: false, invalidation: undefined });
    expect(loadConfig({ CACHE_MAX_AGE_S: '300' }).federation.cacheMaxAgeS).toBe(300);
    expect(() => loadConfig({ CACHE_MAX_AGE_S: '-1' })).toThrow(/CACHE_MAX_AGE_S/);
    expect(() => loadConfig({ ROUTER_INVALIDATION_URL: 'http://router:4000/invalidation' })).toThrow(/ROUTER_INVALIDATION_URL: set together with ROUTER_INVALIDATION_SECRET/);
    expect(() => loadConfig({ ROUTER_INVALIDATION_URL: 'ftp://router', ROUTER_INVALIDATION_SECRET: 'a-shared-key-of-16+' })).toThrow(/ROUTER_INVALIDATION_URL/);
    let message = '';
    try {
      loadConfig({ ROUTER_INVALIDATION_URL: 'http://router:4000/invalidation', ROUTER_INVALIDATION_SECRET: 'short-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/ROUTER_INVALIDATION_SECRET: must be at least 16 characters/);
    expect(message).not.toContain('short-secret');
    expect(loadConfig({ ROUTER_INVALIDATION_URL: 'http://router:4000/invalidation', ROUTER_INVALIDATION_SECRET: 'a-shared-key-of-16+' }).federation.invalidation).toEqual({
      url: 'http://router:4000/invalidation',
      secret: 'a-shared-key-of-16+',
      timeoutMs: 2000,
    });
  });
});

/** A stand-in for Apollo Router's invalidation endpoint: records each request, answers `status` (201 as the router). */
async function fakeRouter(): Promise<{ url: string; requests: Array<{ headers: IncomingHttpHeaders; body: unknown }>; status: number; server: Server }> {
  const state = { url: '', requests: [] as Array<{ headers: IncomingHttpHeaders; body: unknown }>, status: 201, server: undefined as unknown as Server };
  state.server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      state.requests.push({ headers: req.headers, body: JSON.parse(text) as unknown });
      res.writeHead(state.status, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1 }));
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/invalidation`;
  return state;
}

const SECRET = 'router-invalidation-shared-key';
const tagsOf = (body: unknown) => (body as Array<{ kind: string; subgraphs: string[]; cache_tag: string }>).map((i) => `${i.kind} ${i.subgraphs.join(',')} ${i.cache_tag}`).sort();

describe('invalidation at the router after writes (ROUTER_INVALIDATION_URL)', () => {
  let router: Awaited<ReturnType<typeof fakeRouter>>;
  let stack: Stack;
  let log: ReturnType<typeof memoryLogger>;
  beforeAll(async () => {
    router = await fakeRouter();
    log = memoryLogger('warn');
    stack = await startStack({
      logger: log.logger,
      config: { federation: { cacheMaxAgeS: 30, privateScope: false, invalidation: { url: router.url, secret: SECRET, timeoutMs: 500 } } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => router.server.close(() => resolve()));
  });
  beforeEach(() => {
    router.requests.length = 0;
    router.status = 201;
    stack.emulator.reset();
  });

  it("an assign: one POST with the router's shared key, the pool's tags and the list's, before the answer", async () => {
    const upper = SAMPLE_POOLS[1].id.toUpperCase();
    const reply = await stack.graphql(NOT_CACHEABLE[0][1].replace(SAMPLE_POOLS[1].id, upper));
    expect(reply.body.errors).toBeUndefined();
    expect(router.requests).toHaveLength(1);
    expect(router.requests[0].headers).toMatchObject({ authorization: SECRET, 'content-type': 'application/json' });
    expect(tagsOf(router.requests[0].body)).toEqual(
      [`cache_tag esim-pools pool-${upper}`, `cache_tag esim-pools pool-${SAMPLE_POOLS[1].id}`, 'cache_tag esim-pools pools'].sort(),
    );
  });

  it('create, rename and delete each invalidate; reads and dry runs do not', async () => {
    await stack.graphql(READS[0][1]);
    await stack.graphql(NOT_CACHEABLE[1][1]);
    expect(router.requests).toHaveLength(0);
    const created = await stack.graphql(
      'mutation ($input: CreateEmbeddedSIMActivationCodePoolInput!) { createEmbeddedSIMActivationCodePool(input: $input) { pool { id } } }',
      { input: { displayName: 'New pool', activationCodes: [{ integratedCircuitCardIdentifier: '8901260123456789012', matchingIdentifier: 'AC-1', smdpPlusServerAddress: 'smdp.example.com' }] } },
    );
    expect(created.body.errors).toBeUndefined();
    const id = (created.body.data?.createEmbeddedSIMActivationCodePool as { pool: { id: string } }).pool.id;
    expect(tagsOf(router.requests[0].body)).toEqual([`cache_tag esim-pools pool-${id}`, 'cache_tag esim-pools pools']);
    await stack.graphql(`mutation { updateEmbeddedSIMActivationCodePool(id: "${id}", input: { displayName: "Renamed" }) { pool { id } } }`);
    await stack.graphql(`mutation { deleteEmbeddedSIMActivationCodePool(id: "${id}") { deletedPoolId } }`);
    expect(router.requests.map((r) => tagsOf(r.body))).toEqual([
      [`cache_tag esim-pools pool-${id}`, 'cache_tag esim-pools pools'],
      [`cache_tag esim-pools pool-${id}`, 'cache_tag esim-pools pools'],
      [`cache_tag esim-pools pool-${id}`, 'cache_tag esim-pools pools'],
    ]);
  });

  it('a refused or unreachable router never fails the write: logged without the key', async () => {
    router.status = 401;
    const reply = await stack.graphql(NOT_CACHEABLE[0][1]);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.assignEmbeddedSIMActivationCodePool).toBeTruthy();
    expect(router.requests).toHaveLength(1);
    const lines = log.lines().filter((l) => l.msg === 'router cache invalidation failed');
    expect(lines.at(-1)).toMatchObject({ reason: 'the router answered HTTP 401', poolIds: [SAMPLE_POOLS[1].id] });
    expect(log.text()).not.toContain(SECRET);
  });

  it('counts outcomes (router_invalidations_total); a dead router fails within the timeout', async () => {
    const metrics = new Metrics();
    const options = { url: router.url, secret: SECRET, timeoutMs: 500, subgraph: 'esim-pools', logger: createLogger('silent'), metrics };
    await invalidate([POOL], options, 'req-1');
    router.status = 500;
    await invalidate([POOL], options, 'req-2');
    await invalidate([POOL], { ...options, url: 'http://127.0.0.1:1/invalidation' }, 'req-3');
    const text = await metrics.registry.metrics();
    expect(text).toContain('router_invalidations_total{outcome="ok"} 1');
    expect(text).toContain('router_invalidations_total{outcome="failed"} 2');
    expect(invalidationBody(['ABC'], 'esim-pools')).toEqual([
      { kind: 'cache_tag', subgraphs: ['esim-pools'], cache_tag: 'pools' },
      { kind: 'cache_tag', subgraphs: ['esim-pools'], cache_tag: 'pool-ABC' },
      { kind: 'cache_tag', subgraphs: ['esim-pools'], cache_tag: 'pool-abc' },
    ]);
  });
});

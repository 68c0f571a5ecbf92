/**
 * The limits that fit what gateways write (src/graphql/entity-limits.ts), over real HTTP against the emulator:
 * merged aliased `_entities` documents pass when the router's secret is required, client documents stay limited,
 * and MAX_ENTITIES / the cost of representations refuse an operation before Graph is asked for anything.
 */
import { expect } from '@jest/globals';
import { generatedPoolId } from '@esim-pools/graph-emulator';
import { createGate } from '../../src/auth/gate';
import { DEFAULT_PERMISSIONS } from '../../src/auth/principal';
import { countTokens, DEFAULT_LIMITS } from '../../src/graphql/limits';
import { startStack, type Stack } from '../support/stack';

const SECRET = 'a-router-secret-for-the-limit-tests';
const ROUTER = { 'router-authorization': SECRET };
const ref = (n: number) => ({ __typename: 'EmbeddedSIMActivationCodePool', id: generatedPoolId(n) });
const refs = (from: number, count: number) => Array.from({ length: count }, (_, i) => ref(from + i));

/** What Hive Gateway sends for `n` parallel entity fetches: one document, one aliased `_entities` per fetch. */
function merged(n: number, selection = 'id displayName'): { query: string; variables: Record<string, unknown> } {
  const vars = Array.from({ length: n }, (_, i) => `$r${i}: [_Any!]!`).join(', ');
  const fields = Array.from({ length: n }, (_, i) => `_${i}__entities: _entities(representations: $r${i}) { ... on EmbeddedSIMActivationCodePool { ${selection} } }`);
  const variables = Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i}`, [ref(i)]]));
  return { query: `query Merged(${vars}) { ${fields.join(' ')} }`, variables };
}

const clientAliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: embeddedSIMActivationCodePool(id: "${generatedPoolId(i)}") { id }`).join(' ')} }`;

let open: Stack;
let routed: Stack;
beforeAll(async () => {
  open = await startStack({ emulator: { extraPools: 40 } });
  routed = await startStack({ emulator: { extraPools: 40 }, auth: () => createGate({ permissions: DEFAULT_PERMISSIONS, routerSecret: SECRET }) });
});
afterAll(async () => {
  await open?.stop();
  await routed?.stop();
});
beforeEach(() => {
  open.emulator.clearRequests();
  routed.emulator.clearRequests();
});

describe('without ROUTER_SECRET nothing is trusted', () => {
  it('a merged document of 16 aliased _entities is held to the client alias limit', async () => {
    const { query, variables } = merged(16);
    const reply = await open.graphql(query, variables);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].message).toMatch(/^The operation has aliases: \d+, \d+ over the limit of 15 \(MAX_ALIASES\)\.$/);
    expect(reply.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('with ROUTER_SECRET (every request carries it)', () => {
  it('accepts 16 merged aliased _entities fetches: one $batch', async () => {
    const { query, variables } = merged(16);
    const before = routed.emulator.requests.length;
    const reply = await routed.graphql(query, variables, ROUTER);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?._15__entities).toEqual([{ id: generatedPoolId(15), displayName: expect.any(String) }]);
    expect(routed.emulator.requests.slice(before).map((r) => r.path)).toEqual(['/beta/$batch']);
  });

  it('accepts a merged document of more than MAX_TOKENS tokens (40 fetches)', async () => {
    const { query, variables } = merged(40, 'id displayName activationCodeCount createdDateTime modifiedDateTime');
    expect(countTokens(query, 100_000)).toBeGreaterThan(DEFAULT_LIMITS.maxTokens);
    const reply = await routed.graphql(query, variables, ROUTER);
    expect(reply.body.errors).toBeUndefined();
    expect(Object.keys(reply.body.data ?? {})).toHaveLength(40);
  });

  it('still holds what a client wrote to the client alias and token limits', async () => {
    const aliases = await routed.graphql(clientAliases(16), undefined, ROUTER);
    expect(aliases.status).toBe(400);
    expect(aliases.body.errors?.[0].message).toMatch(/^The operation has aliases: \d+, \d+ over the limit of 15 \(MAX_ALIASES\)\.$/);
    const fields = Array.from({ length: 1200 }, () => 'id').join(' ');
    const long = await routed.graphql(`{ embeddedSIMActivationCodePool(id: "${generatedPoolId(0)}") { ${fields} } }`, undefined, ROUTER);
    expect(long.status).toBe(400);
    expect(long.body.errors?.[0].message).toMatch(/more than 1000 tokens/);
    // A client field next to the `_entities` ones makes the whole document the client's.
    const { query, variables } = merged(16);
    const mixed = await routed.graphql(query.replace('{ _0__entities', `{ embeddedSIMActivationCodePools(first: 1) { edges { cursor } } _0__entities`), variables, ROUTER);
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors?.[0].message).toMatch(/^The operation has aliases: \d+, \d+ over the limit of 15 \(MAX_ALIASES\)\.$/);
  });

  it('refuses a request without the secret before anything else', async () => {
    const reply = await routed.graphql('{ _service { sdl } }');
    expect(reply.status).toBe(401);
  });
});

describe('MAX_ENTITIES and the cost of representations', () => {
  const ENTITIES = `query ($a: [_Any!]!, $b: [_Any!]!) {
    first: _entities(representations: $a) { ... on EmbeddedSIMActivationCodePool { id } }
    second: _entities(representations: $b) { ... on EmbeddedSIMActivationCodePool { id } }
  }`;

  it(`refuses more than ${DEFAULT_LIMITS.maxEntities} representations summed over aliased fields: TOO_MANY_ENTITIES, no Graph call`, async () => {
    const before = routed.emulator.requests.length;
    const reply = await routed.graphql(ENTITIES, { a: refs(0, 300), b: refs(0, 201) }, ROUTER);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_ENTITIES', limit: 500, found: 501 });
    expect(reply.body.errors?.[0].message).toMatch(/501 entities; at most 500/);
    expect(routed.emulator.requests.length).toBe(before);
    // At the limit it runs (unknown ids resolve to null): 25 batches of 20.
    const ok = await routed.graphql(ENTITIES, { a: refs(0, 300), b: refs(300, 200) }, ROUTER);
    expect(ok.body.errors).toBeUndefined();
    expect(routed.emulator.requests.length - before).toBe(25);
  });

  it('counts the representations in the cost: 480 entities with their assignments and version (1440 Graph requests) are too expensive', async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool {
      id displayName activationCodeCount createdDateTime modifiedDateTime assignmentsVersion
      assignments { id target { __typename odataType filterId filterType ... on GroupAssignmentTarget { groupId group { id } } } } } } }`;
    const before = open.emulator.requests.length;
    const tooMuch = await open.graphql(query, { r: refs(0, 480) });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.errors?.[0].message).toBe('The operation costs 1440, 440 over the limit of 1000 (MAX_COST).');
    expect(tooMuch.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(open.emulator.requests.length).toBe(before);
    // The same selection for 40 entities is cheap.
    const fine = await open.graphql(query, { r: refs(0, 40) });
    expect(fine.body.errors).toBeUndefined();
  });

  it('a literal list counts too', async () => {
    const list = refs(0, 501).map((r) => `{ __typename: "${r.__typename}", id: "${r.id}" }`).join(', ');
    const reply = await routed.graphql(`{ _entities(representations: [${list}]) { __typename } }`, undefined, ROUTER);
    expect(reply.body.errors?.[0].extensions?.code).toBe('TOO_MANY_ENTITIES');
  });
});

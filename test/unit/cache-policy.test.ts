/**
 * The cache policy worked out once per document (src/graphql/cache-policy.ts): which documents it decides without
 * per-field hooks (so graphql-jit runs), and which it leaves to Apollo's plugin because only the data can tell.
 * test/federation/cache-control.test.ts checks the headers themselves over HTTP.
 */
import { parse } from 'graphql';
import { documentCachePolicy, requestCacheHint } from '../../src/graphql/cache-policy';
import { buildSchema } from '../../src/graphql/schema';

const POOL = '6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01';
const publicSchema = buildSchema({ maxAgeS: 30, privateScope: false });
const privateSchema = buildSchema({ maxAgeS: 120, privateScope: true });

function hint(query: string, variables: Record<string, unknown> = {}, schema = publicSchema) {
  return requestCacheHint(documentCachePolicy(schema, parse(query), undefined, 0), schema, variables, 0);
}

describe('requestCacheHint', () => {
  it.each([
    ['a pool with fragments on its targets', `{ embeddedSIMActivationCodePool(id: "${POOL}") { id ...A } } fragment A on EmbeddedSIMActivationCodePool { assignments { target { ... on GroupAssignmentTarget { group { id } } } } }`],
    ['the pools page', 'query ($n: Int) { embeddedSIMActivationCodePools(first: $n) { edges { cursor node { id displayName } } pageInfo { hasNextPage } } }'],
    ['a page with device states', '{ embeddedSIMActivationCodePools(first: 2) { edges { node { deviceStates(first: 1) { edges { node { id } } } } } } }'],
  ])('%s: decided from the document, max-age 30', (_name, query) => {
    expect(hint(query)).toEqual({ maxAge: 30 });
  });

  it('on-behalf-of hints: PRIVATE', () => {
    expect(hint(`{ embeddedSIMActivationCodePool(id: "${POOL}") { id } }`, {}, privateSchema)).toEqual({ maxAge: 120, scope: 'PRIVATE' });
  });

  it('mutations and fields without hints at the root: not cacheable, decided from the document', () => {
    expect(hint(`mutation { deleteEmbeddedSIMActivationCodePool(id: "${POOL}") { deletedPoolId } }`)).toEqual({ maxAge: 0 });
    expect(hint('{ assignmentHistory(first: 1) { pageInfo { hasNextPage } } }')).toEqual({ maxAge: 0 });
    expect(hint('{ _service { sdl } }')).toEqual({ maxAge: 0 });
    expect(hint('{ __typename }')).toEqual({});
  });

  it('_entities by the types of its representations', () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on EmbeddedSIMActivationCodePool { id } } }';
    expect(hint(query, { r: [{ __typename: 'EmbeddedSIMActivationCodePool', id: POOL }] })).toEqual({ maxAge: 30 });
    expect(hint(query, { r: [] })).toEqual({ maxAge: 0 });
    expect(hint(query, { r: { __typename: 'EmbeddedSIMActivationCodePool', id: POOL } })).toEqual({ maxAge: 30 });
  });

  it('left to the per-field plugin where only the data or the variables can tell', () => {
    // No hint on the pool's history: its answer is not cacheable, unless the pool is null and the field never runs.
    expect(hint(`{ embeddedSIMActivationCodePool(id: "${POOL}") { assignmentHistory(first: 1) { pageInfo { hasNextPage } } } }`)).toBeUndefined();
    // A root field that the variables may skip.
    expect(hint(`query ($s: Boolean!) { __typename embeddedSIMActivationCodePool(id: "${POOL}") @skip(if: $s) { id } }`, { s: true })).toBeUndefined();
    expect(hint('{ __schema { queryType { name } } }')).toBeUndefined();
    expect(hint('query ($r: [_Any!]!) { __typename ... @include(if: true) { _entities(representations: $r) { __typename } } a: _entities(representations: $r) { __typename } }', { r: [] })).toBeUndefined();
  });
});

describe('documentCachePolicy', () => {
  it('walks a fragment spread many times over once: 2^30 spreads take no time', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on EmbeddedSIMActivationCodePool { id displayName }` : `fragment F${i} on EmbeddedSIMActivationCodePool { ...F${i + 1} ...F${i + 1} }`,
    );
    const query = `{ embeddedSIMActivationCodePool(id: "${POOL}") { ...F0 } } ${fragments.join(' ')}`;
    expect(hint(query)).toEqual({ maxAge: 30 });
  });
});

/**
 * The pool lifecycle needs EsimPools.Manage, with tokens from the local HTTPS IdP verified by jose: Assign (or
 * Read) is not enough to create, rename or delete, and is refused before any Graph call, also behind a fragment;
 * Manage is, and may read, but may not assign.
 */
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { appToken, bearer, useAuthenticatedStack, userToken } from '../support/auth';
import { testCodes } from '../support/activation-codes';
import type { GraphQLReply } from '../support/stack';

const POOL = SAMPLE_POOLS[0].id;
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';
const CREATE = `mutation ($input: CreateEmbeddedSIMActivationCodePoolInput!) { createEmbeddedSIMActivationCodePool(input: $input) { pool { id } } }`;
const UPDATE = `mutation { updateEmbeddedSIMActivationCodePool(id: "${POOL}", input: { displayName: "Renamed" }) { pool { displayName } } }`;
const DELETE = `mutation { deleteEmbeddedSIMActivationCodePool(id: "${POOL}") { deletedPoolId } }`;
const DELETE_IN_FRAGMENT = `mutation { ...Delete } fragment Delete on Mutation { deleteEmbeddedSIMActivationCodePool(id: "${POOL}") { deletedPoolId } }`;
const DELETE_INLINE = `mutation { ... on Mutation { deleteEmbeddedSIMActivationCodePool(id: "${POOL}") { deletedPoolId } } }`;
const ASSIGN = `mutation { assignEmbeddedSIMActivationCodePool(poolId: "${POOL}", assignments: []) { assignments { id } } }`;
const READ = `{ embeddedSIMActivationCodePools { totalCount } }`;
const input = { displayName: 'Pool', activationCodes: testCodes(2) };

const fixture = useAuthenticatedStack();

function expectForbidden(reply: GraphQLReply, permission: string): void {
  expect(reply.status).toBe(403);
  expect(reply.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(reply.body.errors?.[0].message).toContain(permission);
}

it('EsimPools.Assign or EsimPools.Read (user or app) cannot create, update or delete, nor behind a fragment; Graph is not called', async () => {
  const tokens = [
    await userToken(fixture.idp, ALICE, 'EsimPools.Assign'),
    await appToken(fixture.idp, ['EsimPools.Assign']),
    await userToken(fixture.idp, ALICE, 'EsimPools.Read'),
    await appToken(fixture.idp, ['EsimPools.Read', 'EsimPools.Assign']),
  ];
  for (const token of tokens) {
    expectForbidden(await fixture.stack.graphql(CREATE, { input }, bearer(token)), 'EsimPools.Manage');
    for (const mutation of [UPDATE, DELETE, DELETE_IN_FRAGMENT, DELETE_INLINE]) expectForbidden(await fixture.stack.graphql(mutation, undefined, bearer(token)), 'EsimPools.Manage');
  }
  expect(fixture.stack.emulator.requests).toHaveLength(0);
});

it('EsimPools.Manage (user or app) creates, renames and deletes, and reads', async () => {
  for (const token of [await userToken(fixture.idp, ALICE, 'EsimPools.Manage'), await appToken(fixture.idp, ['EsimPools.Manage'])]) {
    fixture.stack.emulator.reset();
    for (const [query, variables] of [
      [CREATE, { input }],
      [UPDATE, undefined],
      [READ, undefined],
      [DELETE, undefined],
    ] as const) {
      const reply = await fixture.stack.graphql(query, variables, bearer(token));
      expect(reply.body.errors).toBeUndefined();
    }
    expect(fixture.stack.emulator.requests.filter((r) => r.method !== 'GET').map((r) => r.method)).toEqual(['POST', 'PATCH', 'DELETE']);
  }
});

it('EsimPools.Manage cannot assign (importing codes and deciding who gets them are separate duties)', async () => {
  const token = await userToken(fixture.idp, ALICE, 'EsimPools.Manage');
  expectForbidden(await fixture.stack.graphql(ASSIGN, undefined, bearer(token)), 'EsimPools.Assign');
  // A mutation with both kinds of field needs both permissions.
  const both = `mutation { ${ASSIGN.slice('mutation {'.length, -1)} ${DELETE.slice('mutation {'.length, -1)} }`;
  expectForbidden(await fixture.stack.graphql(both, undefined, bearer(await userToken(fixture.idp, ALICE, 'EsimPools.Assign'))), 'EsimPools.Manage');
  expect((await fixture.stack.graphql(both, undefined, bearer(await userToken(fixture.idp, ALICE, 'EsimPools.Assign EsimPools.Manage')))).body.errors).toBeUndefined();
  expect(fixture.stack.emulator.requests.filter((r) => r.method !== 'GET').map((r) => r.method)).toEqual(['POST', 'DELETE']);
});

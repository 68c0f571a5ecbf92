/**
 * The edit mutations need the same permission as assign (EsimPools.Assign): with tokens from the local HTTPS
 * IdP verified by jose, a reader is refused before any Graph call; and every mutation in schema/ has a decision
 * in MUTATION_PERMISSIONS.
 */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { MUTATION_PERMISSIONS } from '../../src/auth/permissions';
import { buildSchema } from '../../src/graphql/schema';
import { appToken, bearer, useAuthenticatedStack, userToken } from '../support/auth';

const POOL = SAMPLE_POOLS[0].id;
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';
const ADD = `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: ALL_DEVICES } }]) { dryRun } }`;
const REMOVE = `mutation { removeEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", targets: [{ kind: GROUP, groupId: "${SAMPLE_GROUP_IDS[0]}" }]) { dryRun } }`;
const DRY_RUN = `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [], dryRun: true) { dryRun } }`;

const fixture = useAuthenticatedStack();

it('every mutation of the schema has a permission decision', () => {
  const fields = Object.keys(buildSchema().getMutationType()?.getFields() ?? {});
  expect(fields.sort()).toEqual(Object.keys(MUTATION_PERMISSIONS).sort());
});

it('EsimPools.Read (user or app) cannot add, remove, or even dry-run; Graph is not called', async () => {
  for (const token of [await userToken(fixture.idp, ALICE, 'EsimPools.Read'), await appToken(fixture.idp, ['EsimPools.Read'])]) {
    for (const mutation of [ADD, REMOVE, DRY_RUN]) {
      const reply = await fixture.stack.graphql(mutation, undefined, bearer(token));
      expect(reply.status).toBe(403);
      expect(reply.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(reply.body.errors?.[0].message).toContain('EsimPools.Assign');
    }
  }
  expect(fixture.stack.emulator.requests).toHaveLength(0);
});

it('EsimPools.Assign adds and removes', async () => {
  const token = await userToken(fixture.idp, ALICE, 'EsimPools.Assign');
  for (const mutation of [ADD, REMOVE]) expect((await fixture.stack.graphql(mutation, undefined, bearer(token))).body.errors).toBeUndefined();
  expect(fixture.stack.emulator.requestCount((r) => r.path.endsWith('/assign'))).toBe(2);
});

/**
 * The history behind inbound authentication: entries name the verified caller (object id, app id, tenant; never a
 * token), history needs the read permission and restore the assign permission.
 */
import { expect } from '@jest/globals';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { bearer, userToken } from '../support/auth';
import { useAuthenticatedHistory } from './fixture';

const POOL = SAMPLE_POOLS[1].id;
const GROUP = '44444444-4444-4444-8444-444444444444';
const OID = '5b0e4b8c-1c77-4d1a-9a61-0b8f7e6c5d41';
const ADD = `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: GROUP, groupId: "${GROUP}" } }]) { assignmentsVersion } }`;
const HISTORY = `query { assignmentHistory(first: 5, kinds: [WRITE]) { edges { node { id operation actor { objectId appId tenantId isApp anonymous } } } } }`;
const restore = (entryId: string) => `mutation { restoreEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", entryId: "${entryId}", dryRun: true) { dryRun } }`;

const fixture = useAuthenticatedHistory();

it('names the verified caller of a write; reading needs the read permission, restoring the assign permission', async () => {
  const writer = await userToken(fixture.idp, OID, 'EsimPools.Assign');
  const wrote = await fixture.h.stack.graphql(ADD, undefined, bearer(writer));
  expect(wrote.body.errors).toBeUndefined();

  const reader = await userToken(fixture.idp, OID, 'EsimPools.Read');
  const read = await fixture.h.stack.graphql(HISTORY, undefined, bearer(reader));
  expect(read.body.errors).toBeUndefined();
  const [entry] = (read.body.data?.assignmentHistory as { edges: Array<{ node: { id: string; operation: string; actor: Record<string, unknown> } }> }).edges.map((e) => e.node);
  expect(entry.operation).toBe('add');
  expect(entry.actor).toEqual({ objectId: OID, appId: expect.any(String), tenantId: fixture.idp.tenantId, isApp: false, anonymous: false });
  // The stored entry holds ids, not the token.
  expect(JSON.stringify(await fixture.h.opened.history.store.list({ limit: 10 }))).not.toContain(writer.slice(-20));

  const refused = await fixture.h.stack.graphql(restore(entry.id), undefined, bearer(reader));
  expect(refused.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const allowed = await fixture.h.stack.graphql(restore(entry.id), undefined, bearer(writer));
  expect(allowed.body.errors).toBeUndefined();
  const none = await userToken(fixture.idp, OID, 'Other.Scope');
  expect((await fixture.h.stack.graphql(HISTORY, undefined, bearer(none))).body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
});

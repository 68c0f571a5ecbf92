/**
 * Idempotency keys behind inbound authentication: a key belongs to the verified caller. Two users sending the same
 * key with other arguments each get their own write; each one's repeat is answered from its own key; no token is
 * kept.
 */
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { bearer, userToken } from '../support/auth';
import { useAuthenticatedHistory } from './fixture';

const POOL = SAMPLE_POOLS[1].id;
const [ALICE, BOB] = ['5b0e4b8c-1c77-4d1a-9a61-0b8f7e6c5d41', '6c1f5c9d-2d88-4e2b-8b72-1c9f8f7d6e52'];
const add = (groupId: string) =>
  `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: GROUP, groupId: "${groupId}" } }], idempotencyKey: "shared-key") { added { ... on GroupAssignmentTarget { groupId } } } }`;

const fixture = useAuthenticatedHistory();

it("keeps each caller's keys apart: the same key of two users names two writes, each repeated from its own", async () => {
  const [alice, bob] = [await userToken(fixture.idp, ALICE, 'EsimPools.Assign'), await userToken(fixture.idp, BOB, 'EsimPools.Assign')];
  const G1 = '11111111-1111-4111-8111-111111111111';
  const G2 = '22222222-2222-4222-8222-222222222222';
  const first = await fixture.h.stack.graphql(add(G1), undefined, bearer(alice));
  const second = await fixture.h.stack.graphql(add(G2), undefined, bearer(bob));
  for (const reply of [first, second]) expect(reply.body.errors).toBeUndefined();
  const assigns = (): number => fixture.h.stack.emulator.requestCount((r) => r.method === 'POST' && r.path.endsWith('/assign'));
  expect(assigns()).toBe(2);
  expect((await fixture.h.stack.graphql(add(G1), undefined, bearer(alice))).body).toEqual(first.body);
  expect((await fixture.h.stack.graphql(add(G2), undefined, bearer(bob))).body).toEqual(second.body);
  expect(assigns()).toBe(2);
  // Alice's key with Bob's arguments is still her own key reused.
  const reused = await fixture.h.stack.graphql(add(G2), undefined, bearer(alice));
  expect(reused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED' });
  const rows = await fixture.h.opened.history.store.query('select * from idempotency_key', []);
  expect(rows.map((r) => r.caller).sort()).toEqual([`user:${fixture.idp.tenantId}:${ALICE}`, `user:${fixture.idp.tenantId}:${BOB}`]);
  expect(JSON.stringify(rows)).not.toContain(alice.slice(-20));
});

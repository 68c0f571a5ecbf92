/**
 * Idempotency keys behind inbound authentication: a key belongs to the verified caller. Two users sending the same
 * key with other arguments each get their own write; each one's repeat is answered from its own key; no token is
 * kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_POOLS } from '../../src/emulator';
import { bearer, gateFor, userToken } from '../support/auth';
import { startTestIdp, type TestIdp } from '../support/idp';
import { stackWithHistory, type HistoryStack } from './fixture';

const POOL = SAMPLE_POOLS[1].id;
const [ALICE, BOB] = ['5b0e4b8c-1c77-4d1a-9a61-0b8f7e6c5d41', '6c1f5c9d-2d88-4e2b-8b72-1c9f8f7d6e52'];
const add = (groupId: string) =>
  `mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: GROUP, groupId: "${groupId}" } }], idempotencyKey: "shared-key") { added { ... on GroupAssignmentTarget { groupId } } } }`;

let idp: TestIdp;
let h: HistoryStack;
let dir: string;
beforeAll(async () => {
  idp = await startTestIdp();
  dir = mkdtempSync(join(tmpdir(), 'esim-idempotency-auth-'));
  h = await stackWithHistory({ kind: 'embedded', path: join(dir, 'history.db') }, { auth: (graph) => gateFor(idp, graph) });
}, 30_000);
afterAll(async () => {
  await h?.stop();
  await idp?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("keeps each caller's keys apart: the same key of two users names two writes, each repeated from its own", async () => {
  const [alice, bob] = [await userToken(idp, ALICE, 'EsimPools.Assign'), await userToken(idp, BOB, 'EsimPools.Assign')];
  const G1 = '11111111-1111-4111-8111-111111111111';
  const G2 = '22222222-2222-4222-8222-222222222222';
  const first = await h.stack.graphql(add(G1), undefined, bearer(alice));
  const second = await h.stack.graphql(add(G2), undefined, bearer(bob));
  for (const reply of [first, second]) expect(reply.body.errors).toBeUndefined();
  const assigns = (): number => h.stack.emulator.requestCount((r) => r.method === 'POST' && r.path.endsWith('/assign'));
  expect(assigns()).toBe(2);
  expect((await h.stack.graphql(add(G1), undefined, bearer(alice))).body).toEqual(first.body);
  expect((await h.stack.graphql(add(G2), undefined, bearer(bob))).body).toEqual(second.body);
  expect(assigns()).toBe(2);
  // Alice's key with Bob's arguments is still her own key reused.
  const reused = await h.stack.graphql(add(G2), undefined, bearer(alice));
  expect(reused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'IDEMPOTENCY_KEY_REUSED' });
  const rows = await h.opened.history.store.use((db) => db.selectFrom('idempotency_key').selectAll().execute());
  expect(rows.map((r) => r.caller).sort()).toEqual([`user:${idp.tenantId}:${ALICE}`, `user:${idp.tenantId}:${BOB}`]);
  expect(JSON.stringify(rows)).not.toContain(alice.slice(-20));
});

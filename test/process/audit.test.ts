/**
 * The audit trail as operators get it: the built process's JSON log. One `"audit": true` line per write attempt
 * with the operation, pool, caller (the inbound token's oid/tid/appid, or anonymous), the diff as targets, the
 * outcome and error code, Graph's request ids on a failure; warn when the pool is left unassigned; never a token.
 */
import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS, startGraphEmulator, type GraphEmulator } from '@esim-pools/graph-emulator';
import { bearer, userToken } from '../support/auth';
import { startTestIdp, type TestIdp } from '../support/idp';
import { spawnService, type ServiceProcess } from '../support/process';
import { postGraphQL } from '../support/stack';

const POOL = SAMPLE_POOLS[0].id;
const [G1, G2] = SAMPLE_GROUP_IDS;
const G3 = '5b0e7a3c-1d2f-4e6a-9b8c-7d6e5f4a3b2c';
const FILTER = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c99';
const ALICE = 'a11ce000-0000-4000-8000-00000000a11c';

const ADD = `mutation ($groupId: ID!) {
  addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: GROUP, groupId: $groupId, filterId: "${FILTER}", filterType: INCLUDE } }]) { dryRun }
}`;
const REMOVE_ALL = `mutation {
  removeEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", targets: [{ kind: GROUP, groupId: "${G1}" }, { kind: EXCLUSION_GROUP, groupId: "${G2}" }, { kind: GROUP, groupId: "${G3}" }]) { dryRun }
}`;
const ASSIGN_STALE = `mutation {
  assignEmbeddedSIMActivationCodePool(poolId: "${POOL}", assignments: [], ifAssignmentsVersion: "AAAAAAAAAAAAAAAAAAAAAA") { assignments { id } }
}`;

const auditLines = (service: ServiceProcess) => service.logs().filter((l) => l.audit === true);

describe('with inbound authentication', () => {
  let idp: TestIdp;
  let emulator: GraphEmulator;
  let service: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    idp = await startTestIdp();
    emulator = await startGraphEmulator();
    service = await spawnService({
      GRAPH_AUTH_MODE: 'emulator',
      GRAPH_BASE_URL: emulator.url,
      AUTH_AUDIENCE: idp.apiAudience,
      AUTH_ISSUER: idp.issuerV2,
      AUTH_JWKS_URL: idp.jwksUrl,
      NODE_EXTRA_CA_CERTS: idp.caFile,
      // The audit of writes Graph answers (written, refused by Graph) with made-up group and filter ids; the target
      // checks that would refuse them first are test/integration/target-checks.test.ts's.
      TARGET_CHECKS: 'off',
    });
    token = await userToken(idp, ALICE, 'EsimPools.Assign');
  }, 30_000);

  afterAll(async () => {
    await service?.stop();
    await emulator?.close();
    await idp?.close();
  });

  it('a written add: operation, pool, caller, the diff as targets, outcome; no token anywhere', async () => {
    const requestId = randomUUID();
    const reply = await postGraphQL(service.url, ADD, { groupId: G3 }, { ...bearer(token), 'x-request-id': requestId });
    expect(reply.body.errors).toBeUndefined();
    await waitFor(() => auditLines(service).length === 1);
    const [line] = auditLines(service);
    expect(line).toMatchObject({
      level: 'info',
      audit: true,
      operation: 'addEmbeddedSIMActivationCodePoolAssignments',
      poolId: POOL,
      requestId,
      caller: { oid: ALICE, tid: idp.tenantId, appid: 'b1a2c3d4-0000-4000-8000-00000000c11e' },
      added: [{ type: 'groupAssignmentTarget', groupId: G3, filterId: FILTER, filterType: 'include' }],
      updated: [],
      removed: [],
      outcome: 'written',
      assignSent: true,
      assignmentsAfter: 3,
    });
    expect(line.errorCode).toBeUndefined();
    expect(service.output()).not.toContain(token);
    expect(service.output()).not.toContain(token.split('.')[2]);
  });

  it('an edit that changes nothing is audited as unchanged, nothing sent', async () => {
    const reply = await postGraphQL(service.url, ADD, { groupId: G3 }, bearer(token));
    expect(reply.body.errors).toBeUndefined();
    await waitFor(() => auditLines(service).length === 2);
    expect(auditLines(service)[1]).toMatchObject({ outcome: 'unchanged', assignSent: false, added: [], updated: [], removed: [] });
  });

  it("a failed precondition: the error code, nothing sent", async () => {
    const reply = await postGraphQL(service.url, ASSIGN_STALE, undefined, bearer(token));
    expect(reply.body.errors?.[0].extensions?.code).toBe('CONFLICT');
    await waitFor(() => auditLines(service).length === 3);
    expect(auditLines(service)[2]).toMatchObject({ operation: 'assignEmbeddedSIMActivationCodePool', outcome: 'failed', errorCode: 'CONFLICT', assignSent: false });
  });

  it("Graph refusing the assign: the error code and Graph's request-id and our client-request-id", async () => {
    // `match` is a substring: the read (…/assignments) passes, the assign after it is refused.
    emulator.setFaults({ match: '/assign', script: ['ok', 403] });
    try {
      const reply = await postGraphQL(service.url, ADD, { groupId: FILTER }, bearer(token));
      expect(reply.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    } finally {
      emulator.setFaults(undefined);
    }
    await waitFor(() => auditLines(service).length === 4);
    const line = auditLines(service)[3];
    const sent = emulator.requests.filter((r) => r.path.endsWith('/assign')).pop();
    expect(line).toMatchObject({ outcome: 'failed', errorCode: 'FORBIDDEN', assignSent: true, added: [{ groupId: FILTER }] });
    expect(line.graph).toEqual({ requestId: expect.any(String), clientRequestId: sent?.headers['client-request-id'] });
  });

  it('a write that leaves the pool with no assignments is a warning', async () => {
    const reply = await postGraphQL(service.url, REMOVE_ALL, undefined, bearer(token));
    expect(reply.body.errors).toBeUndefined();
    await waitFor(() => auditLines(service).length === 5);
    const line = auditLines(service)[4];
    expect(line).toMatchObject({ level: 'warn', outcome: 'written', assignmentsAfter: 0 });
    expect((line.removed as unknown[]).length).toBe(3);
    expect(service.output()).not.toContain(token);
  });
});

describe('without inbound authentication (emulator mode)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await spawnService({ GRAPH_AUTH_MODE: 'emulator' });
  }, 30_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('the caller is anonymous; a replace without receipts logs the set it assigned', async () => {
    const reply = await postGraphQL(
      service.url,
      `mutation { assignEmbeddedSIMActivationCodePool(poolId: "${POOL}", assignments: [{ target: { kind: ALL_DEVICES } }]) { assignments { id } } }`,
    );
    expect(reply.body.errors).toBeUndefined();
    await waitFor(() => auditLines(service).length === 1);
    expect(auditLines(service)[0]).toMatchObject({
      caller: { anonymous: true },
      operation: 'assignEmbeddedSIMActivationCodePool',
      assigned: [{ type: 'allDevicesAssignmentTarget', filterId: null, filterType: 'none' }],
      outcome: 'written',
      assignmentsAfter: 1,
    });
  });
});

/** The log is read from the child's pipe: give it the moment it takes to arrive. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}

/**
 * The `pool` of a write's payload costs no Graph call unless a field Graph holds is selected: every Graph call
 * counts against the tenant's Intune budget. Counted from the emulator's request log ($batch items included).
 */
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { useStack } from '../support/stack';

const POOL = SAMPLE_POOLS[1].id;
const POOL_PATH = `/beta/deviceManagement/embeddedSIMActivationCodePools/${POOL}`;

const fixture = useStack();

/** Every request Graph got, a $batch as its items: `METHOD path` in order. */
const calls = (): string[] =>
  fixture.stack.emulator.requests.flatMap((r) => (r.batchItems ? r.batchItems.map((i) => `${i.method} ${i.path}`) : [`${r.method} ${r.path}`]));

const assign = (poolSelection: string) =>
  fixture.stack.graphql(/* GraphQL */ `
    mutation { assignEmbeddedSIMActivationCodePool(poolId: "${POOL}", assignments: [{ target: { kind: ALL_DEVICES } }]) {
      pool { ${poolSelection} }
    } }
  `);

describe('assignEmbeddedSIMActivationCodePool { pool }', () => {
  it('pool { id assignments { id } assignmentsVersion }: the assign and nothing else', async () => {
    const reply = await assign('id assignments { id target { __typename } } assignmentsVersion');
    expect(reply.body.errors).toBeUndefined();
    const pool = (reply.body.data?.assignEmbeddedSIMActivationCodePool as { pool: { id: string; assignments: Array<{ target: unknown }> } }).pool;
    expect(pool.id).toBe(POOL);
    expect(pool.assignments.map((a) => a.target)).toEqual([{ __typename: 'AllDevicesAssignmentTarget' }]);
    expect(calls()).toEqual([`POST ${POOL_PATH}/assign`]);
  });

  it('pool { displayName activationCodeCount modifiedDateTime }: the assign, then one GET of the pool', async () => {
    const reply = await assign('id displayName activationCodeCount modifiedDateTime');
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.assignEmbeddedSIMActivationCodePool).toMatchObject({
      pool: { id: POOL, displayName: SAMPLE_POOLS[1].displayName, activationCodeCount: 120 },
    });
    expect(calls()).toEqual([`POST ${POOL_PATH}/assign`, `GET ${POOL_PATH}`]);
  });
});

describe('addEmbeddedSIMActivationCodePoolAssignments { pool }', () => {
  it('pool { id assignments { id } }: the fresh read and the assign only; with displayName one GET more', async () => {
    const add = (kind: string, selection: string) =>
      fixture.stack.graphql(`mutation { addEmbeddedSIMActivationCodePoolAssignments(poolId: "${POOL}", assignments: [{ target: { kind: ${kind} } }]) { pool { ${selection} } } }`);
    const lean = await add('ALL_DEVICES', 'id assignments { id }');
    expect(lean.body.errors).toBeUndefined();
    expect(calls()).toEqual([`GET ${POOL_PATH}/assignments`, `POST ${POOL_PATH}/assign`]);

    fixture.stack.emulator.clearRequests();
    const full = await add('ALL_LICENSED_USERS', 'id displayName assignments { id }');
    expect(full.body.errors).toBeUndefined();
    expect(full.body.data?.addEmbeddedSIMActivationCodePoolAssignments).toMatchObject({ pool: { displayName: SAMPLE_POOLS[1].displayName } });
    expect(calls()).toEqual([`GET ${POOL_PATH}/assignments`, `POST ${POOL_PATH}/assign`, `GET ${POOL_PATH}`]);
  });
});

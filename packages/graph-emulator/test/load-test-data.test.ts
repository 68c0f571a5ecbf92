/** The emulator's extensions for load tests: generated pools (`extraPools`, EMULATOR_EXTRA_POOLS) and `$expand=assignments`. */
import { generatedPoolId, SAMPLE_POOLS } from '../src';
import { parseEmulatorEnv, toStartOptions } from '../src/cli-env';
import { POOLS, arr, graphErrorOf, rec, useEmulator } from './helpers';

const t = useEmulator({ extraPools: 120 }, { resetEach: false });
const client = t.client;

it('serves the generated pools besides the sample tenant, first in the list (created earlier), each with two assignments', async () => {
  const list = rec((await client.get(`${POOLS}?$top=999`)).json);
  const ids = arr(list.value).map((p) => rec(p).id);
  expect(ids).toHaveLength(123);
  expect(ids.slice(0, 3)).toEqual([generatedPoolId(0), generatedPoolId(1), generatedPoolId(2)]);
  expect(ids.slice(-3)).toEqual(SAMPLE_POOLS.map((p) => p.id));
  const pool = rec((await client.get(`${POOLS}/${generatedPoolId(119)}`)).json);
  expect(pool).toMatchObject({ id: generatedPoolId(119), displayName: 'Generated pool 120' });
  const assignments = arr(rec((await client.get(`${POOLS}/${generatedPoolId(119)}/assignments`)).json).value);
  expect(assignments.map((a) => rec(rec(a).target)['@odata.type'])).toEqual([
    '#microsoft.graph.groupAssignmentTarget',
    '#microsoft.graph.exclusionGroupAssignmentTarget',
  ]);
});

it('GET a pool with $expand=assignments answers the pool with its assignments, also inside $batch', async () => {
  const direct = rec((await client.get(`${POOLS}/${generatedPoolId(5)}?$expand=assignments`)).json);
  expect(direct.id).toBe(generatedPoolId(5));
  expect(arr(direct.assignments)).toHaveLength(2);
  expect(direct.assignments).toEqual(rec((await client.get(`${POOLS}/${generatedPoolId(5)}/assignments`)).json).value);
  const plain = rec((await client.get(`${POOLS}/${generatedPoolId(5)}`)).json);
  expect(plain.assignments).toBeUndefined();
  const batch = rec(
    (
      await client.post('/beta/$batch', {
        requests: [{ id: '1', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${SAMPLE_POOLS[0].id}?$expand=assignments` }],
      })
    ).json,
  );
  const item = rec(arr(batch.responses)[0]);
  expect(item.status).toBe(200);
  expect(arr(rec(item.body).assignments)).toHaveLength(2);
});

it('refuses to expand anything else, as Graph does for an unknown navigation', async () => {
  const res = await client.get(`${POOLS}/${generatedPoolId(5)}?$expand=owner`);
  expect(res.status).toBe(400);
  expect(graphErrorOf(res).message).toContain("Could not find a property named 'owner'");
});

it('EMULATOR_EXTRA_POOLS', () => {
  expect(toStartOptions(parseEmulatorEnv({ EMULATOR_EXTRA_POOLS: '200' })).extraPools).toBe(200);
  expect(toStartOptions(parseEmulatorEnv({})).extraPools).toBeUndefined();
  expect(() => parseEmulatorEnv({ EMULATOR_EXTRA_POOLS: 'many' })).toThrow('EMULATOR_EXTRA_POOLS');
});

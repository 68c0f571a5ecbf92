/**
 * The emulator's groups and assignment filters: Graph's single reads (plain and in $batch), the sample directory
 * with its orphan, deletion and 403 through the control API, and EMULATOR_FORBIDDEN.
 */
import { SAMPLE_DELETED_GROUP_ID, SAMPLE_FILTER_ID, SAMPLE_GROUP_IDS, SAMPLE_IOS_FILTER_ID, SAMPLE_UNASSIGNED_GROUP_IDS } from '../src';
import { EnvError, parseEmulatorEnv, toStartOptions } from '../src/cli-env';
import { arr, graphErrorOf, rec, useEmulator } from './helpers';

const t = useEmulator();
const client = t.client;
const G1 = SAMPLE_GROUP_IDS[0];
const FILTERS = '/beta/deviceManagement/assignmentFilters';

describe('GET /groups/{id}', () => {
  it('$select=id answers the id alone, with its @odata.context', async () => {
    const res = await client.get(`/beta/groups/${G1}?$select=id`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ '@odata.context': `${t.emu.url}/beta/$metadata#groups(id)/$entity`, id: G1 });
  });

  it('every sample group exists; the orphan of pool 3 does not (404 Request_ResourceNotFound); a non-GUID is 400', async () => {
    for (const id of [...SAMPLE_GROUP_IDS, ...SAMPLE_UNASSIGNED_GROUP_IDS]) expect((await client.get(`/beta/groups/${id}`)).status).toBe(200);
    const orphan = await client.get(`/beta/groups/${SAMPLE_DELETED_GROUP_ID}?$select=id`);
    expect(orphan.status).toBe(404);
    expect(graphErrorOf(orphan).code).toBe('Request_ResourceNotFound');
    expect((await client.get('/beta/groups/not-a-guid')).status).toBe(400);
    expect((await client.get(`/beta/groups/${G1}?$select=nope`)).status).toBe(400);
  });

  it('DELETE /_emulator/groups/{id} deletes it (404 after), PUT brings one in; the assignments naming it stay', async () => {
    expect((await client.call('DELETE', `/_emulator/groups/${G1}`, { token: null })).status).toBe(200);
    expect((await client.get(`/beta/groups/${G1}`)).status).toBe(404);
    expect((await client.call('DELETE', `/_emulator/groups/${G1}`, { token: null })).status).toBe(404);
    expect(t.emu.getAssignments('6f2c1b9e-4a3d-4c8e-9b1a-2f5e7d8c9a01')).toHaveLength(2);
    expect((await client.call('PUT', `/_emulator/groups/${SAMPLE_DELETED_GROUP_ID}`, { token: null, body: { displayName: 'Back' } })).status).toBe(200);
    expect(rec((await client.get(`/beta/groups/${SAMPLE_DELETED_GROUP_ID}`)).json).displayName).toBe('Back');
  });
});

describe('GET /deviceManagement/assignmentFilters/{id}', () => {
  it('answers the filter with its platform; unknown → 404', async () => {
    const res = await client.get(`${FILTERS}/${SAMPLE_FILTER_ID}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ '@odata.type': '#microsoft.graph.deviceAndAppManagementAssignmentFilter', id: SAMPLE_FILTER_ID, platform: 'windows10AndLater' });
    expect(rec((await client.get(`${FILTERS}/${SAMPLE_IOS_FILTER_ID}?$select=id,platform`)).json)).toMatchObject({ id: SAMPLE_IOS_FILTER_ID, platform: 'iOS' });
    expect((await client.get(`${FILTERS}/${SAMPLE_DELETED_GROUP_ID}`)).status).toBe(404);
  });

  it('PUT /_emulator/assignment-filters/{id} makes one with a platform; DELETE removes it', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    await client.call('PUT', `/_emulator/assignment-filters/${id}`, { token: null, body: { platform: 'macOS' } });
    expect(rec((await client.get(`${FILTERS}/${id}`)).json).platform).toBe('macOS');
    await client.call('DELETE', `/_emulator/assignment-filters/${id}`, { token: null });
    expect((await client.get(`${FILTERS}/${id}`)).status).toBe(404);
  });
});

describe('403 on the directory reads', () => {
  it('PUT /_emulator/target-access forbids groups and/or filters, in $batch too; reset restores', async () => {
    const put = await client.call('PUT', '/_emulator/target-access', { token: null, body: { groups: 'forbidden' } });
    expect(rec(put.json).targetAccess).toEqual({ groups: 'forbidden', filters: 'allowed' });
    const group = await client.get(`/beta/groups/${G1}`);
    expect(group.status).toBe(403);
    expect(graphErrorOf(group).code).toBe('Authorization_RequestDenied');
    expect((await client.get(`${FILTERS}/${SAMPLE_FILTER_ID}`)).status).toBe(200);
    await client.call('PUT', '/_emulator/target-access', { token: null, body: { filters: 'forbidden' } });
    const batch = await client.post('/beta/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/groups/${G1}?$select=id` },
        { id: '2', method: 'GET', url: `/deviceManagement/assignmentFilters/${SAMPLE_FILTER_ID}` },
      ],
    });
    expect(arr(rec(batch.json).responses).map((r) => rec(r).status)).toEqual([403, 403]);
    expect((await client.call('PUT', '/_emulator/target-access', { token: null, body: { groups: 'maybe' } })).status).toBe(400);
    t.emu.reset();
    expect((await client.get(`/beta/groups/${G1}`)).status).toBe(200);
  });

  it('EMULATOR_FORBIDDEN=groups,filters is the start option; anything else is refused naming the variable', () => {
    expect(toStartOptions(parseEmulatorEnv({ EMULATOR_FORBIDDEN: 'groups,filters' })).targetAccess).toEqual({ groups: 'forbidden', filters: 'forbidden' });
    expect(toStartOptions(parseEmulatorEnv({ EMULATOR_FORBIDDEN: 'filters' })).targetAccess).toEqual({ groups: 'allowed', filters: 'forbidden' });
    expect(() => parseEmulatorEnv({ EMULATOR_FORBIDDEN: 'users' })).toThrow(EnvError);
    expect(() => parseEmulatorEnv({ EMULATOR_FORBIDDEN: 'users' })).toThrow(/EMULATOR_FORBIDDEN/);
  });
});

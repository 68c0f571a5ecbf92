import { SAMPLE_ASSIGNMENT_IDS, SAMPLE_DELETED_GROUP_ID, SAMPLE_FILTER_ID, SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '../src';
import { GUID, POOLS, arr, graphErrorOf, rec, str, useEmulator, withEmulator } from './helpers';

const t = useEmulator();
const client = t.client;
const [P1, P2, P3] = SAMPLE_POOLS.map((p) => p.id);
const UNKNOWN = '00000000-1111-4222-8333-444444444444';

describe('GET embeddedSIMActivationCodePools (list)', () => {
  it('returns the sample pools in createdDateTime order with the exact wire shape', async () => {
    const res = await client.get(POOLS);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = rec(res.json);
    expect(body['@odata.context']).toBe(`${t.emu.url}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools`);
    expect(body['@odata.nextLink']).toBeUndefined();
    const value = arr(body.value).map(rec);
    expect(value.map((p) => p.id)).toEqual([P1, P2, P3]);
    expect(value.map((p) => p.displayName)).toEqual(SAMPLE_POOLS.map((p) => p.displayName));
    for (const p of value) {
      expect(Object.keys(p).sort()).toEqual(
        ['@odata.type', 'activationCodeCount', 'createdDateTime', 'displayName', 'id', 'modifiedDateTime'].sort(),
      );
      expect(p['@odata.type']).toBe('#microsoft.graph.embeddedSIMActivationCodePool');
      expect(str(p.createdDateTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(typeof p.activationCodeCount).toBe('number');
      expect(p).not.toHaveProperty('activationCodes');
    }
  });

  it('pages with $top and follows an absolute @odata.nextLink on the emulator origin', async () => {
    const seen: string[] = [];
    let next: string | undefined = `${POOLS}?$top=1`;
    let pages = 0;
    while (next !== undefined) {
      const res = await client.get(next);
      expect(res.status).toBe(200);
      const body = rec(res.json);
      const value = arr(body.value).map(rec);
      expect(value.length).toBe(1);
      seen.push(str(value[0].id));
      pages++;
      const link = body['@odata.nextLink'];
      if (link === undefined) next = undefined;
      else {
        const url = new URL(str(link));
        expect(url.origin).toBe(t.emu.url);
        expect(url.pathname).toBe(POOLS);
        expect(url.searchParams.get('$top')).toBe('1');
        expect(url.searchParams.get('$skiptoken')).toBeTruthy();
        next = url.pathname + url.search;
      }
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([P1, P2, P3]);
  });

  it('$top=2 leaves exactly one pool for the next page', async () => {
    const first = rec((await client.get(`${POOLS}?$top=2`)).json);
    expect(arr(first.value)).toHaveLength(2);
    const link = new URL(str(first['@odata.nextLink']));
    const second = rec((await client.get(link.pathname + link.search)).json);
    expect(arr(second.value).map((p) => rec(p).id)).toEqual([P3]);
    expect(second['@odata.nextLink']).toBeUndefined();
  });

  it.each(['0', '1000', 'abc', '-1', '1.5', ''])('rejects $top=%p with 400 BadRequest', async (top) => {
    const res = await client.get(`${POOLS}?$top=${top}`);
    expect(res.status).toBe(400);
    expect(graphErrorOf(res).code).toBe('BadRequest');
  });

  it('accepts $top=999 and $top=1', async () => {
    expect((await client.get(`${POOLS}?$top=999`)).status).toBe(200);
    expect((await client.get(`${POOLS}?$top=1`)).status).toBe(200);
  });

  it('rejects a forged or foreign $skiptoken with 400', async () => {
    expect((await client.get(`${POOLS}?$skiptoken=garbage`)).status).toBe(400);
    // a device-state token is not valid for the pool collection
    const ds = rec((await client.get(`${POOLS}/${P1}/deviceStates?$top=5`)).json);
    const token = new URL(str(ds['@odata.nextLink'])).searchParams.get('$skiptoken');
    const res = await client.get(`${POOLS}?$skiptoken=${token ?? ''}`);
    expect(res.status).toBe(400);
    expect(graphErrorOf(res).code).toBe('BadRequest');
  });
});

describe('GET embeddedSIMActivationCodePools/{id}', () => {
  it('returns the pool, matching the id case-insensitively', async () => {
    const res = await client.get(`${POOLS}/${P1.toUpperCase()}`);
    expect(res.status).toBe(200);
    const p = rec(res.json);
    expect(p.id).toBe(P1);
    expect(p.displayName).toBe('Contoso 5G field devices');
    expect(p['@odata.type']).toBe('#microsoft.graph.embeddedSIMActivationCodePool');
    expect(p).not.toHaveProperty('activationCodes');
  });

  it('404s an unknown GUID with a Graph error whose request-id matches the header', async () => {
    const res = await client.get(`${POOLS}/${UNKNOWN}`, { headers: { 'client-request-id': 'my-correlation-1' } });
    expect(res.status).toBe(404);
    const err = graphErrorOf(res);
    expect(err.code).toBe('ResourceNotFound');
    expect(err.innerError['request-id']).toBe(res.headers['request-id']);
    expect(err.innerError['client-request-id']).toBe('my-correlation-1');
    expect(res.headers['client-request-id']).toBe('my-correlation-1');
    expect(str(res.headers['request-id'])).toMatch(GUID);
    expect(str(err.innerError.date)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.headers.date).toBeTruthy();
  });

  it('404s a non-GUID id', async () => {
    const res = await client.get(`${POOLS}/not-a-guid`);
    expect(res.status).toBe(404);
  });

  it('generates a client-request-id when the request has none', async () => {
    const res = await client.get(`${POOLS}/${P1}`);
    expect(str(res.headers['client-request-id'])).toMatch(GUID);
    expect(res.headers['client-request-id']).not.toBe(res.headers['request-id']);
  });
});

describe('percent-decoding of path segments', () => {
  it('treats %2F as part of ONE segment and records rawPath verbatim', async () => {
    const res = await client.get(`${POOLS}/abc%2F/assignments`);
    expect(res.status).toBe(404);
    const r = t.emu.requests[t.emu.requests.length - 1];
    expect(r.rawPath).toBe(`${POOLS}/abc%2F/assignments`);
    expect(r.path).toBe(`${POOLS}/abc//assignments`);
  });

  it('does not route /{id}%2Fassign to the assign action', async () => {
    const res = await client.post(`${POOLS}/${P2}%2Fassign`, { assignments: [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } }] });
    expect(res.status).toBe(405);
    expect(t.emu.getAssignments(P2)).toEqual([]);
  });
});

describe('GET …/{id}/assignments', () => {
  it('returns pool 1 sample assignments in wire shape', async () => {
    const res = await client.get(`${POOLS}/${P1}/assignments`);
    expect(res.status).toBe(200);
    const body = rec(res.json);
    expect(str(body['@odata.context'])).toContain(`embeddedSIMActivationCodePools('${P1}')/assignments`);
    expect(body.value).toEqual([
      {
        '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
        id: SAMPLE_ASSIGNMENT_IDS[0],
        target: {
          '@odata.type': '#microsoft.graph.groupAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: null,
          deviceAndAppManagementAssignmentFilterType: 'none',
          groupId: SAMPLE_GROUP_IDS[0],
        },
      },
      {
        '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
        id: SAMPLE_ASSIGNMENT_IDS[1],
        target: {
          '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget',
          deviceAndAppManagementAssignmentFilterId: SAMPLE_FILTER_ID,
          deviceAndAppManagementAssignmentFilterType: 'include',
          groupId: SAMPLE_GROUP_IDS[1],
        },
      },
    ]);
  });

  it('pool 2 has none, pool 3 has an allDevices target and an orphan (a group target of a deleted group)', async () => {
    expect(rec((await client.get(`${POOLS}/${P2}/assignments`)).json).value).toEqual([]);
    const v = arr(rec((await client.get(`${POOLS}/${P3}/assignments`)).json).value).map(rec);
    expect(v).toHaveLength(2);
    expect(rec(v[0].target)['@odata.type']).toBe('#microsoft.graph.allDevicesAssignmentTarget');
    expect(rec(v[1].target)).toMatchObject({ '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: SAMPLE_DELETED_GROUP_ID });
    expect((await client.get(`/beta/groups/${SAMPLE_DELETED_GROUP_ID}`)).status).toBe(404);
  });

  it('404s an unknown pool', async () => {
    expect((await client.get(`${POOLS}/${UNKNOWN}/assignments`)).status).toBe(404);
  });

  it('returns raw assignments stored with setRawAssignments (unknown @odata.type)', async () => {
    const raw = [{ '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment', id: 'x', target: { '@odata.type': '#microsoft.graph.somethingNewAssignmentTarget', foo: 1 } }];
    t.emu.setRawAssignments(P2, raw);
    expect(rec((await client.get(`${POOLS}/${P2}/assignments`)).json).value).toEqual(raw);
    expect(() => t.emu.setRawAssignments(UNKNOWN, [])).toThrow();
    expect(t.emu.getAssignments(UNKNOWN)).toBeUndefined();
  });
});

describe('POST …/{id}/assign', () => {
  it('replaces the whole set, generates ids, normalises targets and bumps modifiedDateTime', async () => {
    const before = str(rec((await client.get(`${POOLS}/${P1}`)).json).modifiedDateTime);
    const res = await client.post(`${POOLS}/${P1}/assign`, {
      assignments: [
        { target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: 'g-1' } },
        {
          id: 'keep-this-id',
          target: {
            '@odata.type': '#microsoft.graph.configurationManagerCollectionAssignmentTarget',
            collectionId: 'SMS00001',
            deviceAndAppManagementAssignmentFilterType: 'exclude',
            deviceAndAppManagementAssignmentFilterId: 'f-1',
          },
        },
        { target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget', deviceAndAppManagementAssignmentFilterId: null } },
      ],
    });
    expect(res.status).toBe(200);
    const body = rec(res.json);
    expect(str(body['@odata.context'])).toContain('#Collection(microsoft.graph.embeddedSIMActivationCodePoolAssignment)');
    const value = arr(body.value).map(rec);
    expect(value).toHaveLength(3);
    expect(str(value[0].id)).toMatch(GUID);
    expect(value[0]).toEqual({
      '@odata.type': '#microsoft.graph.embeddedSIMActivationCodePoolAssignment',
      id: value[0].id,
      target: {
        '@odata.type': '#microsoft.graph.groupAssignmentTarget',
        deviceAndAppManagementAssignmentFilterId: null,
        deviceAndAppManagementAssignmentFilterType: 'none',
        groupId: 'g-1',
      },
    });
    expect(value[1].id).toBe('keep-this-id');
    expect(value[1].target).toEqual({
      '@odata.type': '#microsoft.graph.configurationManagerCollectionAssignmentTarget',
      deviceAndAppManagementAssignmentFilterId: 'f-1',
      deviceAndAppManagementAssignmentFilterType: 'exclude',
      collectionId: 'SMS00001',
    });
    expect(value[2].target).toEqual({
      '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget',
      deviceAndAppManagementAssignmentFilterId: null,
      deviceAndAppManagementAssignmentFilterType: 'none',
    });
    // the stored set is exactly the new set (old sample assignments gone)
    expect(rec((await client.get(`${POOLS}/${P1}/assignments`)).json).value).toEqual(value);
    expect(t.emu.getAssignments(P1)).toEqual(value);
    const after = str(rec((await client.get(`${POOLS}/${P1}`)).json).modifiedDateTime);
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
  });

  it('an empty list removes all assignments', async () => {
    const res = await client.post(`${POOLS}/${P1}/assign`, { assignments: [] });
    expect(res.status).toBe(200);
    expect(rec(res.json).value).toEqual([]);
    expect(rec((await client.get(`${POOLS}/${P1}/assignments`)).json).value).toEqual([]);
  });

  it('accepts the namespace-qualified action segment microsoft.graph.assign', async () => {
    const res = await client.post(`${POOLS}/${P2}/microsoft.graph.assign`, {
      assignments: [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } }],
    });
    expect(res.status).toBe(200);
    expect(t.emu.getAssignments(P2)).toHaveLength(1);
  });

  it('404s an unknown pool', async () => {
    const res = await client.post(`${POOLS}/${UNKNOWN}/assign`, { assignments: [] });
    expect(res.status).toBe(404);
  });

  const group = '#microsoft.graph.groupAssignmentTarget';
  const invalid: Array<[string, unknown]> = [
    ['body is not JSON', '{"assignments": ['],
    ['body is a JSON array', '[]'],
    ['no assignments property', {}],
    ['assignments is not an array', { assignments: { target: {} } }],
    ['an assignment is not an object', { assignments: [42] }],
    ['target is missing', { assignments: [{ id: 'a' }] }],
    ['target is null', { assignments: [{ target: null }] }],
    ['target @odata.type is missing', { assignments: [{ target: { groupId: 'g' } }] }],
    ['target @odata.type is unknown', { assignments: [{ target: { '@odata.type': '#microsoft.graph.userAssignmentTarget' } }] }],
    ['group target without groupId', { assignments: [{ target: { '@odata.type': group } }] }],
    ['exclusion group target without groupId', { assignments: [{ target: { '@odata.type': '#microsoft.graph.exclusionGroupAssignmentTarget' } }] }],
    ['collection target without collectionId', { assignments: [{ target: { '@odata.type': '#microsoft.graph.configurationManagerCollectionAssignmentTarget' } }] }],
    ['unknown filter type', { assignments: [{ target: { '@odata.type': group, groupId: 'g', deviceAndAppManagementAssignmentFilterType: 'sometimes' } }] }],
    ['filter type with wrong case', { assignments: [{ target: { '@odata.type': group, groupId: 'g', deviceAndAppManagementAssignmentFilterType: 'Include' } }] }],
    ['property not defined on the target type', { assignments: [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget', groupId: 'g' } }] }],
    ['unknown action parameter', { assignments: [], extra: true }],
    ['wrong assignment @odata.type', { assignments: [{ '@odata.type': '#microsoft.graph.groupAssignmentTarget', target: { '@odata.type': group, groupId: 'g' } }] }],
  ];
  it.each(invalid)('400 BadRequest when %s, and the set is unchanged', async (_name, body) => {
    const res = await client.post(`${POOLS}/${P1}/assign`, body);
    expect(res.status).toBe(400);
    expect(graphErrorOf(res).code).toBe('BadRequest');
    expect(t.emu.getAssignments(P1)).toHaveLength(2);
  });

  it('400 for an empty body', async () => {
    const res = await client.call('POST', `${POOLS}/${P1}/assign`, { headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  it('setAssignReply("empty200") answers 200 with an empty body', async () => {
    t.emu.setAssignReply('empty200');
    const res = await client.post(`${POOLS}/${P1}/assign`, { assignments: [] });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(t.emu.getAssignments(P1)).toEqual([]);
  });

  it('setAssignReply("noContent204") answers 204', async () => {
    t.emu.setAssignReply('noContent204');
    const res = await client.post(`${POOLS}/${P1}/assign`, { assignments: [] });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(t.emu.getAssignments(P1)).toEqual([]);
  });
});

describe('GET …/{id}/deviceStates', () => {
  it('pages 25 states of pool 1 (10+10+5), stably ordered, covering all 8 states', async () => {
    const all: Array<Record<string, unknown>> = [];
    let next: string | undefined = `${POOLS}/${P1}/deviceStates?$top=10`;
    const sizes: number[] = [];
    while (next !== undefined) {
      const res = await client.get(next);
      expect(res.status).toBe(200);
      const body = rec(res.json);
      const value = arr(body.value).map(rec);
      sizes.push(value.length);
      all.push(...value);
      const link = body['@odata.nextLink'];
      if (link === undefined) next = undefined;
      else {
        const url = new URL(str(link));
        expect(url.origin).toBe(t.emu.url);
        next = url.pathname + url.search;
      }
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(all.map((s) => s.id)).size).toBe(25);
    expect(new Set(all.map((s) => s.state))).toEqual(
      new Set(['notEvaluated', 'failed', 'installing', 'installed', 'deleting', 'error', 'deleted', 'removedByUser']),
    );
    const keys = [
      '@odata.type', 'id', 'createdDateTime', 'deviceName', 'lastSyncDateTime', 'modifiedDateTime', 'state',
      'stateDetails', 'universalIntegratedCircuitCardIdentifier', 'userName',
    ];
    for (const s of all) {
      expect(Object.keys(s).sort()).toEqual([...keys].sort());
      expect(s['@odata.type']).toBe('#microsoft.graph.embeddedSIMDeviceState');
    }
    const sorted = [...all].sort((a, b) => {
      const ca = str(a.createdDateTime);
      const cb = str(b.createdDateTime);
      if (ca !== cb) return ca < cb ? -1 : 1;
      return str(a.id) < str(b.id) ? -1 : 1;
    });
    expect(all.map((s) => s.id)).toEqual(sorted.map((s) => s.id));
  });

  it('default page holds all 25 without a nextLink; pool 2 has none; unknown pool 404', async () => {
    const body = rec((await client.get(`${POOLS}/${P1}/deviceStates`)).json);
    expect(arr(body.value)).toHaveLength(25);
    expect(body['@odata.nextLink']).toBeUndefined();
    expect(rec((await client.get(`${POOLS}/${P2}/deviceStates`)).json).value).toEqual([]);
    expect((await client.get(`${POOLS}/${UNKNOWN}/deviceStates`)).status).toBe(404);
  });

  it('400 for invalid $top; a pool token cannot page another pool', async () => {
    expect((await client.get(`${POOLS}/${P1}/deviceStates?$top=0`)).status).toBe(400);
    const first = rec((await client.get(`${POOLS}/${P1}/deviceStates?$top=2`)).json);
    const token = new URL(str(first['@odata.nextLink'])).searchParams.get('$skiptoken') ?? '';
    expect((await client.get(`${POOLS}/${P3}/deviceStates?$skiptoken=${token}`)).status).toBe(400);
  });
});

describe('routing', () => {
  it('404 UnknownError for an unknown segment', async () => {
    const res = await client.get('/beta/deviceManagement/embeddedSIMActivationCodePoolz');
    expect(res.status).toBe(404);
    const err = graphErrorOf(res);
    expect(err.code).toBe('UnknownError');
    expect(err.message).toContain("Resource not found for the segment 'embeddedSIMActivationCodePoolz'");
    expect((await client.get('/v1.0/deviceManagement/embeddedSIMActivationCodePools')).status).toBe(404);
    expect((await client.get(`${POOLS}/${P1}/assignments/extra`)).status).toBe(404);
  });

  it('405 for a wrong method', async () => {
    const put = await client.call('PUT', `${POOLS}/${P1}`, { body: { displayName: 'x' } });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, PATCH, DELETE');
    const del = await client.call('DELETE', POOLS);
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, POST');
    const res = await client.get(`${POOLS}/${P1}/assign`);
    expect(res.status).toBe(405);
    expect(graphErrorOf(res).code).toBe('MethodNotAllowed');
  });
});

describe('auth', () => {
  it('401 InvalidAuthenticationToken without a bearer token', async () => {
    const res = await client.get(POOLS, { token: null });
    expect(res.status).toBe(401);
    const err = graphErrorOf(res);
    expect(err.code).toBe('InvalidAuthenticationToken');
    expect(err.message).toBe('Access token is empty.');
    const r = t.emu.requests[t.emu.requests.length - 1];
    expect(r.status).toBe(401);
    expect(r.bearerToken).toBeUndefined();
  });

  it('401 for a non-Bearer scheme', async () => {
    const res = await client.get(POOLS, { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
  });

  it('records the bearer token Graph saw', async () => {
    await client.get(`${POOLS}/${P1}`, { token: 'eyJ0eXAi.payload.sig' });
    const r = t.emu.requests[t.emu.requests.length - 1];
    expect(r.bearerToken).toBe('eyJ0eXAi.payload.sig');
    expect(r.headers.authorization).toBe('Bearer eyJ0eXAi.payload.sig');
  });

  it('requireAuth:false accepts anonymous requests', async () => {
    await withEmulator({ requireAuth: false }, async (_open, c) => {
      const res = await c.get(POOLS, { token: null });
      expect(res.status).toBe(200);
    });
  });
});

describe('request log and reset', () => {
  it('records method, rawPath, decoded path, query, lower-case headers, parsed body and status', async () => {
    t.emu.clearRequests();
    await client.get(`${POOLS}?$top=2`, { headers: { 'X-Custom': 'v' } });
    await client.post(`${POOLS}/${P2}/assign`, { assignments: [] });
    await client.post(`${POOLS}/${P2}/assign`, 'not json');
    expect(t.emu.requestCount()).toBe(3);
    const [a, b, c] = t.emu.requests;
    expect(a).toMatchObject({ method: 'GET', rawPath: `${POOLS}?$top=2`, path: POOLS, query: { $top: '2' }, status: 200, bearerToken: 'test-token' });
    expect(a.headers['x-custom']).toBe('v');
    expect(a.body).toBeUndefined();
    expect(b).toMatchObject({ method: 'POST', body: { assignments: [] }, status: 200 });
    expect(c).toMatchObject({ body: 'not json', status: 400 });
    expect(t.emu.requestCount((r) => r.method === 'POST')).toBe(2);
  });

  it('reset() re-seeds data and clears the log and overrides', async () => {
    await client.post(`${POOLS}/${P1}/assign`, { assignments: [] });
    t.emu.setAssignReply('noContent204');
    t.emu.reset();
    expect(t.emu.requestCount()).toBe(0);
    expect(t.emu.getAssignments(P1)).toHaveLength(2);
    const res = await client.post(`${POOLS}/${P2}/assign`, { assignments: [] });
    expect(res.status).toBe(200);
  });

  it('seed:false starts with an empty tenant', async () => {
    await withEmulator({ seed: false }, async (_empty, c) => {
      expect(rec((await c.get(POOLS)).json).value).toEqual([]);
      expect((await c.get(`${POOLS}/${P1}`)).status).toBe(404);
    });
  });

  it('setLatency adds a fixed delay per request', async () => {
    t.emu.setLatency(120);
    const t0 = Date.now();
    await client.get(`${POOLS}/${P1}`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    t.emu.setLatency(0);
  });
});

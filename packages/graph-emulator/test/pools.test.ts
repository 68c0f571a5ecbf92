/** The pool lifecycle (create, update, delete) and activation codes as credentials. */
import { SAMPLE_POOLS } from '../src';
import { GUID, POOLS, type Res, arr, graphErrorOf, rec, str, useEmulator } from './helpers';

const t = useEmulator();
const client = t.client;
const P1 = SAMPLE_POOLS[0].id;
const UNKNOWN = '00000000-1111-4222-8333-444444444444';
const POOL_TYPE = '#microsoft.graph.embeddedSIMActivationCodePool';

function code(n: number): { integratedCircuitCardIdentifier: string; matchingIdentifier: string; smdpPlusServerAddress: string } {
  return {
    integratedCircuitCardIdentifier: `89882470001${String(n).padStart(8, '0')}`,
    matchingIdentifier: `MX7Q-${String(n).padStart(4, '0')}-ZK3P`,
    smdpPlusServerAddress: 'smdp-plus.operator.example.com',
  };
}

function createBody(name: string, codes: unknown[]): Record<string, unknown> {
  return { '@odata.type': POOL_TYPE, displayName: name, activationCodes: codes };
}

describe('POST embeddedSIMActivationCodePools (create)', () => {
  it('201 with the entity: new GUID id, activationCodeCount = number of codes, created = modified, Location', async () => {
    const res = await client.post(POOLS, createBody('Field tablets', [code(1), code(2), code(3)]));
    expect(res.status).toBe(201);
    const body = rec(res.json);
    expect(body['@odata.context']).toBe(`${t.emu.url}/beta/$metadata#deviceManagement/embeddedSIMActivationCodePools/$entity`);
    expect(Object.keys(body).sort()).toEqual(
      ['@odata.context', '@odata.type', 'activationCodeCount', 'createdDateTime', 'displayName', 'id', 'modifiedDateTime'].sort(),
    );
    expect(body).toMatchObject({ '@odata.type': POOL_TYPE, displayName: 'Field tablets', activationCodeCount: 3 });
    const id = str(body.id);
    expect(id).toMatch(GUID);
    expect(Number.isNaN(Date.parse(str(body.createdDateTime)))).toBe(false);
    expect(body.modifiedDateTime).toBe(body.createdDateTime);
    expect(res.headers.location).toBe(`${t.emu.url}${POOLS}/${id}`);

    const got = rec((await client.get(`${POOLS}/${id}`)).json);
    expect(got).toMatchObject({ id, displayName: 'Field tablets', activationCodeCount: 3 });
    const list = arr(rec((await client.get(POOLS)).json).value).map(rec);
    expect(list.map((p) => p.id)).toContain(id);
    expect(t.emu.getActivationCodes(id)).toEqual([code(1), code(2), code(3)]);
  });

  it('accepts the code type with and without "#", and ignores service-side properties as Graph does', async () => {
    const res = await client.post(POOLS, {
      ...createBody('Typed', [
        { '@odata.type': 'microsoft.graph.embeddedSIMActivationCode', ...code(4) },
        { '@odata.type': '#microsoft.graph.embeddedSIMActivationCode', ...code(5) },
      ]),
      '@odata.type': 'microsoft.graph.embeddedSIMActivationCodePool',
      activationCodeCount: 99,
      id: 'ignored',
    });
    expect(res.status).toBe(201);
    expect(rec(res.json).activationCodeCount).toBe(2);
    expect(rec(res.json).id).not.toBe('ignored');
  });

  it.each([
    ['a 21-digit ICCID', { ...code(1), integratedCircuitCardIdentifier: '898824700010000000011' }, 'activationCodes[1].integratedCircuitCardIdentifier'],
    ['an 18-digit ICCID', { ...code(1), integratedCircuitCardIdentifier: '898824700010000000' }, 'activationCodes[1].integratedCircuitCardIdentifier'],
    ['an ICCID with a letter', { ...code(1), integratedCircuitCardIdentifier: '8988247000100000001F' }, 'activationCodes[1].integratedCircuitCardIdentifier'],
    ['a matching id with a space', { ...code(1), matchingIdentifier: 'MX7Q 0001' }, 'activationCodes[1].matchingIdentifier'],
    ['a matching id with an underscore', { ...code(1), matchingIdentifier: 'MX7Q_0001' }, 'activationCodes[1].matchingIdentifier'],
    ['an SM-DP+ address without a dot', { ...code(1), smdpPlusServerAddress: 'localhost' }, 'activationCodes[1].smdpPlusServerAddress'],
    ['an SM-DP+ address with a port', { ...code(1), smdpPlusServerAddress: 'smdp.example.com:443' }, 'activationCodes[1].smdpPlusServerAddress'],
    ['an SM-DP+ address with a 1-letter TLD', { ...code(1), smdpPlusServerAddress: 'smdp.example.c' }, 'activationCodes[1].smdpPlusServerAddress'],
    ['a missing ICCID', { matchingIdentifier: 'A1', smdpPlusServerAddress: 'a.example.com' }, 'activationCodes[1].integratedCircuitCardIdentifier'],
    ['a numeric ICCID', { ...code(1), integratedCircuitCardIdentifier: 8988247000100001 }, 'activationCodes[1].integratedCircuitCardIdentifier'],
    ['an unknown property', { ...code(1), pin: '1234' }, "activationCodes[1]: The property 'pin'"],
  ])('400 for %s, naming the index and property but never the value', async (_name, bad, where) => {
    const before = (await client.get(`${POOLS}/$count`)).text;
    const res = await client.post(POOLS, createBody('Bad', [code(7), bad]));
    expect(res.status).toBe(400);
    const err = graphErrorOf(res);
    expect(err.code).toBe('BadRequest');
    expect(err.message).toContain(where);
    for (const v of Object.values(bad)) expect(res.text).not.toContain(String(v));
    expect(res.text).not.toContain(code(7).integratedCircuitCardIdentifier);
    expect((await client.get(`${POOLS}/$count`)).text).toBe(before);
  });

  it.each([
    ['no body', undefined],
    ['invalid JSON', '{"displayName":'],
    ['an array', [1]],
    ['no displayName', { activationCodes: [] }],
    ['an empty displayName', { displayName: ' ', activationCodes: [] }],
    ['activationCodes null', { displayName: 'x', activationCodes: null }],
    ['a wrong @odata.type', { '@odata.type': '#microsoft.graph.group', displayName: 'x' }],
    ['an unknown property', { displayName: 'x', owner: 'me' }],
  ])('400 for %s', async (_name, body) => {
    const res = body === undefined ? await client.call('POST', POOLS) : await client.post(POOLS, body);
    expect(res.status).toBe(400);
    expect(graphErrorOf(res).code).toBe('BadRequest');
  });

  it('write-reply noContent: 204 without a body, the id in Location and OData-EntityId', async () => {
    t.emu.setWriteReply('noContent');
    const res = await client.post(POOLS, createBody('Quiet', [code(8)]));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const location = str(res.headers.location);
    expect(res.headers['odata-entityid']).toBe(location);
    const id = location.slice(location.lastIndexOf('/') + 1);
    expect(rec((await client.get(`${POOLS}/${id}`)).json).activationCodeCount).toBe(1);
  });
});

describe('PATCH and DELETE embeddedSIMActivationCodePools/{id}', () => {
  it('PATCH displayName → 200 with the updated entity; modifiedDateTime moves, createdDateTime does not', async () => {
    const before = rec((await client.get(`${POOLS}/${P1}`)).json);
    const res = await client.call('PATCH', `${POOLS}/${P1}`, { body: { displayName: 'Renamed' } });
    expect(res.status).toBe(200);
    const body = rec(res.json);
    expect(body).toMatchObject({ id: P1, displayName: 'Renamed', activationCodeCount: before.activationCodeCount, createdDateTime: before.createdDateTime });
    expect(Date.parse(str(body.modifiedDateTime))).toBeGreaterThan(Date.parse(str(before.modifiedDateTime)));
    expect(rec((await client.get(`${POOLS}/${P1}`)).json).displayName).toBe('Renamed');
  });

  it('PATCH activationCodes replaces the codes and the count; write-reply noContent → 204', async () => {
    t.emu.setWriteReply('noContent');
    const res = await client.call('PATCH', `${POOLS}/${P1}`, { body: { activationCodes: [code(9), code(10)] } });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(rec((await client.get(`${POOLS}/${P1}`)).json).activationCodeCount).toBe(2);
    expect(t.emu.getActivationCodes(P1)).toEqual([code(9), code(10)]);
  });

  it('PATCH: 400 for a bad code or an unknown property, 404 for an unknown id; nothing changes', async () => {
    const bad = await client.call('PATCH', `${POOLS}/${P1}`, { body: { activationCodes: [{ ...code(11), matchingIdentifier: 'no way' }] } });
    expect(bad.status).toBe(400);
    expect(graphErrorOf(bad).message).toContain('activationCodes[0].matchingIdentifier');
    expect((await client.call('PATCH', `${POOLS}/${P1}`, { body: { colour: 'red' } })).status).toBe(400);
    const missing = await client.call('PATCH', `${POOLS}/${UNKNOWN}`, { body: { displayName: 'x' } });
    expect(missing.status).toBe(404);
    expect(graphErrorOf(missing).code).toBe('ResourceNotFound');
    expect(rec((await client.get(`${POOLS}/${P1}`)).json)).toMatchObject({ displayName: SAMPLE_POOLS[0].displayName, activationCodeCount: 250 });
  });

  it('DELETE → 204; the pool and its sub-resources are gone; a second DELETE and an unknown id → Graph-shaped 404', async () => {
    const res = await client.call('DELETE', `${POOLS}/${P1}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    for (const path of [`${POOLS}/${P1}`, `${POOLS}/${P1}/assignments`, `${POOLS}/${P1}/deviceStates`]) {
      expect((await client.get(path)).status).toBe(404);
    }
    expect(arr(rec((await client.get(POOLS)).json).value).map((p) => rec(p).id)).not.toContain(P1);
    const again = await client.call('DELETE', `${POOLS}/${P1}`);
    expect(again.status).toBe(404);
    expect(graphErrorOf(again).code).toBe('ResourceNotFound');
    expect(graphErrorOf(again).innerError['request-id']).toBe(again.headers['request-id']);
    expect((await client.call('DELETE', `${POOLS}/not-a-guid`)).status).toBe(404);
  });

  it('create, update and delete work as $batch items', async () => {
    const res = await client.post('/beta/$batch', {
      requests: [
        {
          id: 'c',
          method: 'POST',
          url: '/deviceManagement/embeddedSIMActivationCodePools',
          headers: { 'content-type': 'application/json' },
          body: createBody('Batched', [code(12)]),
        },
        { id: 'd', method: 'DELETE', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
      ],
    });
    const items = new Map(arr(rec(res.json).responses).map((r) => [str(rec(r).id), rec(r)]));
    expect(items.get('c')?.status).toBe(201);
    expect(rec(items.get('c')?.body).activationCodeCount).toBe(1);
    expect(items.get('d')?.status).toBe(204);
    expect(items.get('d')).not.toHaveProperty('body');
  });
});

describe('activation codes never leave the emulator', () => {
  it('no response and no request-log entry (in process or over the control API) carries an ICCID or a matching id', async () => {
    const codes = [code(21), code(22), code(23), code(24), code(25)];
    const texts: string[] = [];
    const keep = (r: Res): Res => {
      texts.push(JSON.stringify(r.headers), r.text);
      return r;
    };
    const created = keep(await client.post(POOLS, createBody('Secret', [codes[0], codes[1]])));
    const id = str(rec(created.json).id);
    keep(await client.call('PATCH', `${POOLS}/${id}`, { body: { activationCodes: [codes[2]] } }));
    keep(await client.post(POOLS, createBody('Bad', [codes[3], { ...codes[4], smdpPlusServerAddress: 'nope' }])));
    keep(await client.post(POOLS, `{"displayName":"cut","activationCodes":[{"integratedCircuitCardIdentifier":"${codes[4].integratedCircuitCardIdentifier}"`));
    keep(
      await client.post('/beta/$batch', {
        requests: [
          {
            id: '1',
            method: 'POST',
            url: '/deviceManagement/embeddedSIMActivationCodePools',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(createBody('As a string', [codes[4]])),
          },
          { id: '2', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${id}` },
        ],
      }),
    );
    for (const path of [POOLS, `${POOLS}?$count=true`, `${POOLS}/${id}`, `${POOLS}/${id}?$expand=assignments`]) keep(await client.get(path));
    keep(await client.get('/_emulator/requests'));
    texts.push(JSON.stringify(t.emu.requests));

    // The codes did reach the emulator (so the search below can find them if they leak).
    expect(t.emu.getActivationCodes(id)).toEqual([codes[2]]);
    const all = texts.join('\n');
    for (const c of codes) {
      expect(all).not.toContain(c.integratedCircuitCardIdentifier);
      expect(all).not.toContain(c.matchingIdentifier);
    }
    // The log keeps the shape of the body, one "[redacted]" per field.
    const log = arr((await client.get('/_emulator/requests')).json).map(rec);
    expect(rec(arr(rec(log[0].body).activationCodes)[1])).toEqual({
      integratedCircuitCardIdentifier: '[redacted]',
      matchingIdentifier: '[redacted]',
      smdpPlusServerAddress: '[redacted]',
    });
  });
});

import { SAMPLE_POOLS } from '../src';
import { arr, graphErrorOf, rec, str, useEmulator } from './helpers';

const t = useEmulator();
const client = t.client;
const [P1, P2, P3] = SAMPLE_POOLS.map((p) => p.id);
const UNKNOWN = '00000000-1111-4222-8333-444444444444';
const BATCH = '/beta/$batch';

function responsesOf(json: unknown): Array<Record<string, unknown>> {
  return arr(rec(json).responses).map(rec);
}

function byId(json: unknown): Map<string, Record<string, unknown>> {
  return new Map(responsesOf(json).map((r) => [str(r.id), r]));
}

describe('POST /beta/$batch', () => {
  it('dispatches each item through the normal handlers and returns responses in reverse order', async () => {
    const res = await client.post(BATCH, {
      requests: [
        { id: '1', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
        { id: '2', method: 'GET', url: `deviceManagement/embeddedSIMActivationCodePools/${P2}` },
        { id: '3', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P3}/assignments` },
      ],
    });
    expect(res.status).toBe(200);
    const responses = responsesOf(res.json);
    expect(responses.map((r) => r.id)).toEqual(['3', '2', '1']);
    const m = byId(res.json);
    expect(m.get('1')?.status).toBe(200);
    expect(rec(m.get('1')?.body).id).toBe(P1);
    expect(rec(m.get('2')?.body).displayName).toBe(SAMPLE_POOLS[1].displayName);
    expect(arr(rec(m.get('3')?.body).value)).toHaveLength(2);
    expect(str(rec(m.get('1')?.headers)['content-type'])).toMatch(/^application\/json/);
  });

  it('setBatchOrder("request") keeps request order', async () => {
    t.emu.setBatchOrder('request');
    const res = await client.post(BATCH, {
      requests: [
        { id: 'a', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
        { id: 'b', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P2}` },
      ],
    });
    expect(responsesOf(res.json).map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('reports per-item 404 and 400 without failing the batch', async () => {
    const res = await client.post(BATCH, {
      requests: [
        { id: 'ok', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
        { id: 'missing', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${UNKNOWN}` },
        { id: 'badtop', method: 'GET', url: '/deviceManagement/embeddedSIMActivationCodePools?$top=0' },
        {
          id: 'badassign',
          method: 'POST',
          url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}/assign`,
          headers: { 'Content-Type': 'application/json' },
          body: { assignments: [{ target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget' } }] },
        },
      ],
    });
    expect(res.status).toBe(200);
    const m = byId(res.json);
    expect(m.get('ok')?.status).toBe(200);
    expect(m.get('missing')?.status).toBe(404);
    expect(rec(rec(m.get('missing')?.body).error).code).toBe('ResourceNotFound');
    expect(m.get('badtop')?.status).toBe(400);
    expect(m.get('badassign')?.status).toBe(400);
    expect(t.emu.getAssignments(P1)).toHaveLength(2);
  });

  it('runs assign items (state changes) and records inner requests in batchItems', async () => {
    t.emu.clearRequests();
    const res = await client.post(
      BATCH,
      {
        requests: [
          {
            id: '1',
            method: 'POST',
            url: `/deviceManagement/embeddedSIMActivationCodePools/${P2}/assign`,
            headers: { 'Content-Type': 'application/json' },
            body: { assignments: [{ target: { '@odata.type': '#microsoft.graph.allDevicesAssignmentTarget' } }] },
          },
          { id: '2', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools?$top=1` },
        ],
      },
      { token: 'batch-token' },
    );
    expect(res.status).toBe(200);
    const m = byId(res.json);
    expect(m.get('1')?.status).toBe(200);
    expect(arr(rec(m.get('1')?.body).value)).toHaveLength(1);
    expect(t.emu.getAssignments(P2)).toHaveLength(1);
    // nextLink inside a batch item is an absolute URL too
    expect(str(rec(m.get('2')?.body)['@odata.nextLink'])).toMatch(new RegExp(`^${t.emu.url}/beta/`));

    expect(t.emu.requestCount()).toBe(1);
    const outer = t.emu.requests[0];
    expect(outer.path).toBe(BATCH);
    expect(outer.bearerToken).toBe('batch-token');
    const items = outer.batchItems ?? [];
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      method: 'POST',
      rawPath: `/beta/deviceManagement/embeddedSIMActivationCodePools/${P2}/assign`,
      status: 200,
      bearerToken: 'batch-token',
    });
    expect(items[0].headers['content-type']).toBe('application/json');
    expect(items[1]).toMatchObject({ method: 'GET', query: { $top: '1' }, status: 200 });
  });

  it('400 for more than 20 requests', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` }));
    const res = await client.post(BATCH, { requests });
    expect(res.status).toBe(400);
    expect(graphErrorOf(res).code).toBe('BadRequest');
    const ok = await client.post(BATCH, { requests: requests.slice(0, 20) });
    expect(ok.status).toBe(200);
    expect(responsesOf(ok.json)).toHaveLength(20);
  });

  it('400 for duplicate ids', async () => {
    const res = await client.post(BATCH, {
      requests: [
        { id: '1', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
        { id: '1', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P2}` },
      ],
    });
    expect(res.status).toBe(400);
  });

  it.each([
    ['missing id', { method: 'GET', url: '/deviceManagement/embeddedSIMActivationCodePools' }],
    ['missing method', { id: '1', url: '/deviceManagement/embeddedSIMActivationCodePools' }],
    ['missing url', { id: '1', method: 'GET' }],
    ['write without Content-Type', { id: '1', method: 'POST', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}/assign`, body: { assignments: [] } }],
  ])('400 for the whole batch when an item has %s', async (_name, item) => {
    const res = await client.post(BATCH, { requests: [item] });
    expect(res.status).toBe(400);
    expect(graphErrorOf(res).code).toBe('BadRequest');
    expect(t.emu.getAssignments(P1)).toHaveLength(2);
  });

  it('400 for a body without a requests array; 405 for GET; 401 without a token', async () => {
    expect((await client.post(BATCH, { foo: 1 })).status).toBe(400);
    expect((await client.post(BATCH, 'nope')).status).toBe(400);
    expect((await client.get(BATCH)).status).toBe(405);
    const res = await client.post(BATCH, { requests: [{ id: '1', method: 'GET', url: '/deviceManagement/embeddedSIMActivationCodePools' }] }, { token: null });
    expect(res.status).toBe(401);
  });

  it('an absolute item url gets an item-level 400', async () => {
    const res = await client.post(BATCH, {
      requests: [{ id: '1', method: 'GET', url: 'https://graph.microsoft.com/beta/deviceManagement/embeddedSIMActivationCodePools' }],
    });
    expect(res.status).toBe(200);
    expect(byId(res.json).get('1')?.status).toBe(400);
  });

  it('assign items honour setAssignReply (204 item has no body)', async () => {
    t.emu.setAssignReply('noContent204');
    const res = await client.post(BATCH, {
      requests: [
        {
          id: '1',
          method: 'POST',
          url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}/assign`,
          headers: { 'content-type': 'application/json' },
          body: { assignments: [] },
        },
      ],
    });
    const item = byId(res.json).get('1');
    expect(item?.status).toBe(204);
    expect(item).not.toHaveProperty('body');
  });
});

import { SAMPLE_POOLS } from '../src';
import { POOLS, arr, graphErrorOf, rec, str, useEmulator, withEmulator } from './helpers';

const t = useEmulator();
const client = t.client;
const P1 = SAMPLE_POOLS[0].id;

function put(path: string, body: unknown) {
  return client.call('PUT', path, { body, token: null });
}

describe('/_emulator control endpoints', () => {
  it('health answers 200 without auth', async () => {
    const res = await client.get('/_emulator/health', { token: null });
    expect(res.status).toBe(200);
    expect(rec(res.json).status).toBe('ok');
  });

  it('requests/count expose the log; control requests are not recorded', async () => {
    await client.get(`${POOLS}/${P1}`);
    await client.get(`${POOLS}?$top=1`);
    await client.get('/_emulator/health');
    const count = await client.get('/_emulator/count', { token: null });
    expect(rec(count.json).count).toBe(2);
    const all = arr((await client.get('/_emulator/requests')).json).map(rec);
    expect(all.map((r) => r.rawPath)).toEqual([`${POOLS}/${P1}`, `${POOLS}?$top=1`]);
    expect(all[0].bearerToken).toBe('test-token');
    expect(all[0].status).toBe(200);
    const since = arr((await client.get('/_emulator/requests?since=1')).json).map(rec);
    expect(since.map((r) => r.rawPath)).toEqual([`${POOLS}?$top=1`]);
    expect((await client.get('/_emulator/requests?since=x')).status).toBe(400);
    expect(t.emu.requestCount()).toBe(2);
    await client.call('DELETE', '/_emulator/requests');
    expect(t.emu.requestCount()).toBe(0);
  });

  it('PUT faults sets, GET shows, null clears; invalid configs are rejected naming the property', async () => {
    const set = await put('/_emulator/faults', { script: [503] });
    expect(set.status).toBe(200);
    expect(rec((await client.get('/_emulator/faults')).json).faults).toEqual({ script: [503] });
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(503);
    await put('/_emulator/faults', { script: [404] });
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(404);
    await client.call('PUT', '/_emulator/faults', { body: 'null' });
    expect(rec((await client.get('/_emulator/faults')).json).faults).toBeNull();
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(200);

    const bad = await put('/_emulator/faults', { failureRate: 2 });
    expect(bad.status).toBe(400);
    expect(graphErrorOf(bad).message).toContain('failureRate');
    const typo = await put('/_emulator/faults', { failurerate: 0.5 });
    expect(typo.status).toBe(400);
    expect(graphErrorOf(typo).message).toContain('failurerate');
    expect((await client.call('PUT', '/_emulator/faults', { body: '{nope' })).status).toBe(400);
  });

  it('PUT latency adds delay; invalid → 400', async () => {
    expect((await put('/_emulator/latency', { ms: 150 })).status).toBe(200);
    const t0 = Date.now();
    await client.get(`${POOLS}/${P1}`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect((await put('/_emulator/latency', { ms: -1 })).status).toBe(400);
    expect((await put('/_emulator/latency', { millis: 1 })).status).toBe(400);
    await put('/_emulator/latency', { ms: 0 });
  });

  it('POST reset re-seeds and clears the log', async () => {
    await client.post(`${POOLS}/${P1}/assign`, { assignments: [] });
    expect(t.emu.getAssignments(P1)).toEqual([]);
    const res = await client.call('POST', '/_emulator/reset');
    expect(res.status).toBe(200);
    expect(t.emu.getAssignments(P1)).toHaveLength(2);
    expect(t.emu.requestCount()).toBe(0);
  });

  it('PUT assign-reply and batch-order switch behaviour', async () => {
    expect((await put('/_emulator/assign-reply', { mode: 'noContent204' })).status).toBe(200);
    expect((await client.post(`${POOLS}/${P1}/assign`, { assignments: [] })).status).toBe(204);
    expect((await put('/_emulator/assign-reply', { mode: 'bogus' })).status).toBe(400);
    expect((await put('/_emulator/batch-order', { order: 'request' })).status).toBe(200);
    const res = await client.post('/beta/$batch', {
      requests: [
        { id: 'x', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
        { id: 'y', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
      ],
    });
    expect(arr(rec(res.json).responses).map((r) => str(rec(r).id))).toEqual(['x', 'y']);
  });

  it('unknown endpoint 404, wrong method 405', async () => {
    expect((await client.get('/_emulator/nope')).status).toBe(404);
    expect((await client.call('POST', '/_emulator/health')).status).toBe(405);
    expect((await client.get('/_emulator/reset')).status).toBe(405);
  });
});

describe('maxRecordedRequests', () => {
  it('keeps the newest entries while counts and ?since= stay absolute', async () => {
    await withEmulator({ maxRecordedRequests: 5 }, async (small, c) => {
      for (let i = 0; i < 12; i++) await c.get(`${POOLS}?$top=${i + 1}`);
      expect(small.requestCount()).toBe(12);
      expect(small.requests.length).toBeLessThanOrEqual(6);
      expect(small.requests[small.requests.length - 1].query.$top).toBe('12');
      const since = arr((await c.get('/_emulator/requests?since=10')).json).map(rec);
      expect(since.map((r) => rec(r.query).$top)).toEqual(['11', '12']);
    });
  });
});

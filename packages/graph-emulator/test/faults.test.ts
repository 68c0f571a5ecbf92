import { request } from 'undici';
import { type FaultConfig, SAMPLE_POOLS, startGraphEmulator } from '../src';
import { POOLS, arr, graphErrorOf, rec, sleep, str, useEmulator } from './helpers';

const t = useEmulator();
const client = t.client;
const [P1, P2] = SAMPLE_POOLS.map((p) => p.id);

async function statuses(n: number, path = `${POOLS}/${P1}`): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await client.get(path)).status);
  return out;
}

describe('failureRate', () => {
  it('is reproducible with the same seed and differs with another seed', async () => {
    const cfg: FaultConfig = { seed: 42, failureRate: 0.5 };
    t.emu.setFaults(cfg);
    const a = await statuses(30);
    t.emu.setFaults(cfg);
    const b = await statuses(30);
    t.emu.setFaults({ ...cfg, seed: 43 });
    const c = await statuses(30);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a).toContain(200);
    const failures = a.filter((s) => s !== 200);
    expect(failures.length).toBeGreaterThan(5);
    for (const s of failures) expect([500, 502, 503, 504, 507]).toContain(s);
  });

  it('draws from custom statuses and answers Graph-shaped errors (503 with Retry-After)', async () => {
    t.emu.setFaults({ seed: 1, failureRate: 1, statuses: [503] });
    const res = await client.get(`${POOLS}/${P1}`);
    expect(res.status).toBe(503);
    expect(graphErrorOf(res).code).toBe('ServiceUnavailable');
    expect(graphErrorOf(res).innerError['request-id']).toBe(res.headers['request-id']);
    expect(res.headers['retry-after']).toBe('1');
    t.emu.setFaults({ seed: 1, failureRate: 1, statuses: [503], omitRetryAfter: true });
    const res2 = await client.get(`${POOLS}/${P1}`);
    expect(res2.status).toBe(503);
    expect(res2.headers['retry-after']).toBeUndefined();
  });

  it('faults never apply to /_emulator/ control endpoints', async () => {
    t.emu.setFaults({ failureRate: 1 });
    expect((await client.get('/_emulator/health')).status).toBe(200);
  });

  it('a failed assign does not change state', async () => {
    t.emu.setFaults({ failureRate: 1, statuses: [500] });
    const res = await client.post(`${POOLS}/${P1}/assign`, { assignments: [] });
    expect(res.status).toBe(500);
    expect(t.emu.getAssignments(P1)).toHaveLength(2);
  });
});

describe('throttle', () => {
  it('429 with Retry-After; an early retry gets 429 again; after the wait → 200', async () => {
    t.emu.setFaults({ throttle: { retryAfterSeconds: 1 } });
    const first = await client.get(`${POOLS}/${P1}`);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');
    expect(graphErrorOf(first).code).toBe('TooManyRequests');
    const early = await client.get(`${POOLS}/${P1}`);
    expect(early.status).toBe(429);
    expect(early.headers['retry-after']).toBe('1');
    await sleep(1050);
    const later = await client.get(`${POOLS}/${P1}`);
    expect(later.status).toBe(200);
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(200);
  });

  it('omitRetryAfter drops the header but keeps the window', async () => {
    t.emu.setFaults({ throttle: { retryAfterSeconds: 5 }, omitRetryAfter: true });
    const first = await client.get(POOLS);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBeUndefined();
    expect((await client.get(POOLS)).status).toBe(429);
  });

  it('rate 1 throttles every request', async () => {
    t.emu.setFaults({ throttle: { retryAfterSeconds: 0, rate: 1 } });
    expect(await statuses(3)).toEqual([429, 429, 429]);
  });
});

describe('script', () => {
  it('[429, 429, "ok"] then normal behaviour', async () => {
    t.emu.setFaults({ script: [429, 429, 'ok'] });
    const r1 = await client.get(`${POOLS}/${P1}`);
    expect(r1.status).toBe(429);
    expect(r1.headers['retry-after']).toBe('1');
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(429);
    const ok = await client.get(`${POOLS}/${P1}`);
    expect(ok.status).toBe(200);
    expect(rec(ok.json).id).toBe(P1);
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(200);
  });

  it('match restricts the faults to matching paths', async () => {
    t.emu.setFaults({ script: [503], match: '/assign' });
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(200);
    expect((await client.post(`${POOLS}/${P1}/assign`, { assignments: [] })).status).toBe(503);
    expect(t.emu.getAssignments(P1)).toHaveLength(2);
    expect((await client.post(`${POOLS}/${P1}/assign`, { assignments: [] })).status).toBe(200);
    expect(t.emu.getAssignments(P1)).toHaveLength(0);
  });
});

describe('transport faults', () => {
  it('hang: accepts and never answers (client headersTimeout fires)', async () => {
    t.emu.setFaults({ hang: true });
    const t0 = Date.now();
    await expect(client.get(`${POOLS}/${P1}`, { headersTimeout: 300 })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(t.emu.requests[t.emu.requests.length - 1].status).toBe(0);
    t.emu.setFaults(undefined);
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(200);
  });

  it('close() also ends hung requests', async () => {
    const other = await startGraphEmulator({ faults: { hang: true } });
    const pending = request(`${other.url}${POOLS}`, { headers: { authorization: 'Bearer t' } }).then(
      () => 'answered',
      () => 'socket error',
    );
    await sleep(50);
    await other.close();
    expect(await pending).toBe('socket error');
  });

  it('reset: the client sees a socket error mid-reply', async () => {
    t.emu.setFaults({ reset: true });
    await expect(client.get(POOLS)).rejects.toThrow();
    expect(t.emu.requests[t.emu.requests.length - 1].status).toBe(200);
    t.emu.setFaults(undefined);
    expect((await client.get(POOLS)).status).toBe(200);
  });

  it('malformedJson: 200 with truncated JSON', async () => {
    t.emu.setFaults({ malformedJson: true });
    const res = await client.get(POOLS);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(res.text) as unknown).toThrow();
    expect(res.text.startsWith('{"@odata.context"')).toBe(true);
  });

  it('htmlError: an HTML gateway page, default 502, custom status', async () => {
    t.emu.setFaults({ htmlError: true });
    const res = await client.get(POOLS);
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<html');
    t.emu.setFaults({ htmlError: { rate: 1, status: 504 } });
    expect((await client.get(POOLS)).status).toBe(504);
  });

  it('latency range adds a delay', async () => {
    t.emu.setFaults({ latency: { minMs: 100, maxMs: 150 } });
    const t0 = Date.now();
    expect((await client.get(POOLS)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
  });
});

describe('rateLimit', () => {
  it('sends RateLimit-* headers and 429 + Retry-After when the window is exhausted', async () => {
    t.emu.setFaults({ rateLimit: { limit: 3, windowSeconds: 60 } });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await client.get(`${POOLS}/${P1}`);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      const reset = Number(res.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
      remaining.push(str(res.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await client.get(`${POOLS}/${P1}`);
    expect(limited.status).toBe(429);
    expect(graphErrorOf(limited).code).toBe('TooManyRequests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
  });

  it('a new window starts after windowSeconds', async () => {
    t.emu.setFaults({ rateLimit: { limit: 1, windowSeconds: 0.3 } });
    expect(await statuses(2)).toEqual([200, 429]);
    await sleep(350);
    expect(await statuses(1)).toEqual([200]);
  });
});

describe('$batch and faults', () => {
  const items = [
    { id: '1', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P1}` },
    { id: '2', method: 'GET', url: `/deviceManagement/embeddedSIMActivationCodePools/${P2}` },
    {
      id: '3',
      method: 'POST',
      url: `/deviceManagement/embeddedSIMActivationCodePools/${P2}/assign`,
      headers: { 'content-type': 'application/json' },
      body: { assignments: [] },
    },
  ];

  it('without batchItems, the fault hits the whole $batch request', async () => {
    t.emu.setFaults({ script: [503] });
    const res = await client.post('/beta/$batch', { requests: items });
    expect(res.status).toBe(503);
  });

  it('batchItems applies faults per item (status + headers), the batch itself is 200', async () => {
    t.emu.setFaults({ script: [503, 'ok', 429], batchItems: true });
    const res = await client.post('/beta/$batch', { requests: items });
    expect(res.status).toBe(200);
    const m = new Map(arr(rec(res.json).responses).map((r) => [str(rec(r).id), rec(r)]));
    expect(m.get('1')?.status).toBe(503);
    expect(rec(m.get('1')?.headers)['retry-after']).toBe('1');
    expect(rec(rec(m.get('1')?.body).error).code).toBe('ServiceUnavailable');
    expect(m.get('2')?.status).toBe(200);
    expect(m.get('3')?.status).toBe(429);
    expect(rec(m.get('3')?.headers)['retry-after']).toBe('1');
    // the throttled assign did not run
    expect(t.emu.getAssignments(P2)).toEqual([]);
    const outer = t.emu.requests[t.emu.requests.length - 1];
    expect(outer.status).toBe(200);
    expect(outer.batchItems?.map((r) => r.status)).toEqual([503, 200, 429]);
  });

  it('batchItems with match only hits matching items; rateLimit headers land on items', async () => {
    t.emu.setFaults({ failureRate: 1, statuses: [500], match: '/assign', batchItems: true });
    const res = await client.post('/beta/$batch', { requests: items });
    const m = new Map(arr(rec(res.json).responses).map((r) => [str(rec(r).id), rec(r)]));
    expect([m.get('1')?.status, m.get('2')?.status, m.get('3')?.status]).toEqual([200, 200, 500]);

    t.emu.setFaults({ rateLimit: { limit: 2, windowSeconds: 60 }, batchItems: true });
    const res2 = await client.post('/beta/$batch', { requests: items });
    const m2 = new Map(arr(rec(res2.json).responses).map((r) => [str(rec(r).id), rec(r)]));
    expect(rec(m2.get('1')?.headers)['ratelimit-remaining']).toBe('1');
    expect(rec(m2.get('2')?.headers)['ratelimit-remaining']).toBe('0');
    expect(m2.get('3')?.status).toBe(429);
  });

  it('batchItems malformed/html items carry string bodies', async () => {
    t.emu.setFaults({ script: ['malformed', 'html'], batchItems: true });
    const res = await client.post('/beta/$batch', { requests: items.slice(0, 2) });
    const m = new Map(arr(rec(res.json).responses).map((r) => [str(rec(r).id), rec(r)]));
    expect(m.get('1')?.status).toBe(200);
    expect(typeof m.get('1')?.body).toBe('string');
    expect(() => JSON.parse(str(m.get('1')?.body)) as unknown).toThrow();
    expect(m.get('2')?.status).toBe(502);
    expect(str(rec(m.get('2')?.headers)['content-type'])).toMatch(/^text\/html/);
  });

  it('a hanging batch item hangs the whole batch', async () => {
    t.emu.setFaults({ script: ['ok', 'hang'], batchItems: true });
    await expect(client.post('/beta/$batch', { requests: items.slice(0, 2) }, { headersTimeout: 300 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
  });
});

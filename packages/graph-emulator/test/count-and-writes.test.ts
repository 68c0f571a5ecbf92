/** `$count` (query option and path segment) and the tenant-wide write window. */
import { SAMPLE_POOLS } from '../src';
import { EnvError, parseEmulatorEnv, toStartOptions } from '../src/cli-env';
import { POOLS, arr, graphErrorOf, rec, sleep, str, useEmulator } from './helpers';

const t = useEmulator();
const client = t.client;
const [P1, P2] = SAMPLE_POOLS.map((p) => p.id);

describe('$count', () => {
  it('$count=true adds @odata.count = the total (not the page size) on every page of the pool list', async () => {
    const first = rec((await client.get(`${POOLS}?$top=1&$count=true`)).json);
    expect(first['@odata.count']).toBe(3);
    expect(arr(first.value)).toHaveLength(1);
    const next = new URL(str(first['@odata.nextLink']));
    expect(next.searchParams.get('$count')).toBeNull();
    const second = rec((await client.get(`${next.pathname}${next.search}&$count=true`)).json);
    expect(second['@odata.count']).toBe(3);
    expect(rec((await client.get(POOLS)).json)).not.toHaveProperty('@odata.count');
    expect(rec((await client.get(`${POOLS}?$count=false`)).json)).not.toHaveProperty('@odata.count');
  });

  it('$count=true on deviceStates and assignments; a non-boolean $count → 400', async () => {
    const states = rec((await client.get(`${POOLS}/${P1}/deviceStates?$top=10&$count=true`)).json);
    expect(states['@odata.count']).toBe(25);
    expect(arr(states.value)).toHaveLength(10);
    expect(rec((await client.get(`${POOLS}/${P1}/assignments?$count=true`)).json)['@odata.count']).toBe(2);
    const bad = await client.get(`${POOLS}?$count=yes`);
    expect(bad.status).toBe(400);
    expect(graphErrorOf(bad).message).toContain('$count');
  });

  it('/$count answers a text/plain integer and follows creates and deletes', async () => {
    const res = await client.get(`${POOLS}/$count`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('3');
    await client.call('DELETE', `${POOLS}/${P2}`);
    expect((await client.get(`${POOLS}/%24count`)).text).toBe('2');
    expect((await client.get(`${POOLS}/${P1}/deviceStates/$count`)).text).toBe('25');
    expect((await client.get(`${POOLS}/${P1}/assignments/$count`)).text).toBe('2');
    expect((await client.get(`${POOLS}/00000000-1111-4222-8333-444444444444/deviceStates/$count`)).status).toBe(404);
    expect((await client.call('DELETE', `${POOLS}/$count`)).status).toBe(405);
  });
});

describe('write window (writeLimit)', () => {
  const create = { displayName: 'w', activationCodes: [] };

  it('POST/PATCH/DELETE/assign count, whatever their outcome; over the limit → Graph-shaped 429 with Retry-After, and nothing changes', async () => {
    t.emu.setWriteLimit({ limit: 4, windowSeconds: 60 });
    expect((await client.post(POOLS, create)).status).toBe(201);
    expect((await client.call('PATCH', `${POOLS}/${P1}`, { body: { displayName: 'n' } })).status).toBe(200);
    expect((await client.post(`${POOLS}/${P1}/assign`, { bogus: 1 })).status).toBe(400);
    expect((await client.post(`${POOLS}/${P2}/assign`, { assignments: [] })).status).toBe(200);
    const refused = await client.call('DELETE', `${POOLS}/${P1}`);
    expect(refused.status).toBe(429);
    expect(graphErrorOf(refused).code).toBe('TooManyRequests');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await client.get(`${POOLS}/${P1}`)).status).toBe(200);
    expect((await client.post(POOLS, create)).status).toBe(429);
    expect((await client.get(`${POOLS}/$count`)).text).toBe('4');
  });

  it('each $batch item counts, the envelope does not', async () => {
    t.emu.setWriteLimit({ limit: 2, windowSeconds: 60 });
    const item = (id: string) => ({
      id,
      method: 'POST',
      url: '/deviceManagement/embeddedSIMActivationCodePools',
      headers: { 'content-type': 'application/json' },
      body: create,
    });
    const res = await client.post('/beta/$batch', { requests: [item('1'), item('2'), item('3')] });
    expect(res.status).toBe(200);
    const byId = new Map(arr(rec(res.json).responses).map((r) => [str(rec(r).id), rec(r)]));
    expect([byId.get('1')?.status, byId.get('2')?.status, byId.get('3')?.status]).toEqual([201, 201, 429]);
    expect(Number(rec(byId.get('3')?.headers)['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('the window slides: once the oldest write has left it, writes are admitted again', async () => {
    t.emu.setWriteLimit({ limit: 1, windowSeconds: 0.3 });
    expect((await client.post(POOLS, create)).status).toBe(201);
    expect((await client.post(POOLS, create)).status).toBe(429);
    await sleep(350);
    expect((await client.post(POOLS, create)).status).toBe(201);
  });

  it('control API: GET/PUT /_emulator/write-limit; null turns it off; reset() restores the start option (off)', async () => {
    const put = (body: unknown) => client.call('PUT', '/_emulator/write-limit', { body, token: null });
    expect(rec((await put({ limit: 1 })).json)).toEqual({ writeLimit: { limit: 1, windowSeconds: 20 } });
    expect((await client.post(POOLS, create)).status).toBe(201);
    expect((await client.post(POOLS, create)).status).toBe(429);
    expect((await put({ limit: 0 })).status).toBe(400);
    expect((await put({ limit: 1, window: 5 })).status).toBe(400);
    await client.call('PUT', '/_emulator/write-limit', { body: 'null', token: null });
    expect(rec((await client.get('/_emulator/write-limit')).json)).toEqual({ writeLimit: null });
    expect((await client.post(POOLS, create)).status).toBe(201);
    await put({ limit: 1 });
    t.emu.reset();
    expect(rec((await client.get('/_emulator/write-limit')).json)).toEqual({ writeLimit: null });
  });

  it('control API: write-reply switches create/update between the entity and 204', async () => {
    const put = (body: unknown) => client.call('PUT', '/_emulator/write-reply', { body, token: null });
    expect(rec((await client.get('/_emulator/write-reply')).json)).toEqual({ mode: 'entity' });
    expect((await put({ mode: 'noContent' })).status).toBe(200);
    expect((await client.post(POOLS, create)).status).toBe(204);
    expect((await client.call('PATCH', `${POOLS}/${P1}`, { body: { displayName: 'q' } })).status).toBe(204);
    expect((await put({ mode: 'minimal' })).status).toBe(400);
  });
});

describe('EMULATOR_WRITE_LIMIT / EMULATOR_WRITE_REPLY', () => {
  it('N means N per 20 s; N/S means N per S seconds', () => {
    expect(toStartOptions(parseEmulatorEnv({ EMULATOR_WRITE_LIMIT: '100' })).writeLimit).toEqual({ limit: 100, windowSeconds: 20 });
    expect(toStartOptions(parseEmulatorEnv({ EMULATOR_WRITE_LIMIT: '200/20' })).writeLimit).toEqual({ limit: 200, windowSeconds: 20 });
    expect(toStartOptions(parseEmulatorEnv({ EMULATOR_WRITE_LIMIT: '5/0.5' })).writeLimit).toEqual({ limit: 5, windowSeconds: 0.5 });
    expect(toStartOptions(parseEmulatorEnv({})).writeLimit).toBeUndefined();
    expect(toStartOptions(parseEmulatorEnv({ EMULATOR_WRITE_REPLY: 'noContent' })).writeReply).toBe('noContent');
  });

  it.each([
    ['EMULATOR_WRITE_LIMIT', 'lots'],
    ['EMULATOR_WRITE_LIMIT', '0'],
    ['EMULATOR_WRITE_LIMIT', '10/'],
    ['EMULATOR_WRITE_LIMIT', '-1/20'],
    ['EMULATOR_WRITE_REPLY', 'representation'],
  ])('%s=%p → EnvError naming it', (name, value) => {
    expect(() => parseEmulatorEnv({ [name]: value })).toThrow(EnvError);
    expect(() => parseEmulatorEnv({ [name]: value })).toThrow(name);
  });
});

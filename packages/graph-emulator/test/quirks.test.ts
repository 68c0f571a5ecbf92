/** Graph's data as it really comes: `@odata.type` without '#' on input, and odd data on demand (quirks). */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '../src';
import { EnvError, parseEmulatorEnv, toStartOptions } from '../src/cli-env';
import { POOLS, arr, graphErrorOf, rec, str, useEmulator } from './helpers';
import { nullTargetIds, POOLS_REL as REL } from '../src/quirk-presets';

const t = useEmulator();
const client = t.client;
const [P1, P2, P3] = SAMPLE_POOLS.map((p) => p.id);

function quirks(q: unknown): Promise<unknown> {
  return client.call('PUT', '/_emulator/quirks', { body: q, token: null }).then((r) => {
    if (r.status !== 200) throw new Error(`PUT quirks → ${r.status} ${r.text}`);
    return r.json;
  });
}

const valueOf = async (path: string): Promise<Array<Record<string, unknown>>> => arr(rec((await client.get(path)).json).value).map(rec);

describe('@odata.type with and without "#" on input', () => {
  it('an assign body with microsoft.graph.… types (no "#") is accepted; Graph serialises them with "#"', async () => {
    const res = await client.post(`${POOLS}/${P2}/assign`, {
      assignments: [
        {
          '@odata.type': 'microsoft.graph.embeddedSIMActivationCodePoolAssignment',
          target: { '@odata.type': 'microsoft.graph.groupAssignmentTarget', groupId: SAMPLE_GROUP_IDS[0] },
        },
        { target: { '@odata.type': '#microsoft.graph.allLicensedUsersAssignmentTarget' } },
      ],
    });
    expect(res.status).toBe(200);
    const served = (await valueOf(`${POOLS}/${P2}/assignments`)).map((a) => rec(a.target)['@odata.type']);
    expect(served).toEqual(['#microsoft.graph.groupAssignmentTarget', '#microsoft.graph.allLicensedUsersAssignmentTarget']);
    const bad = await client.post(`${POOLS}/${P2}/assign`, { assignments: [{ target: { '@odata.type': 'graph.groupAssignmentTarget', groupId: 'g' } }] });
    expect(bad.status).toBe(400);
  });
});

describe('quirks: reply rules', () => {
  it('a target whose groupId is null, and one whose collectionId is null; the stored data stays as it was', async () => {
    await quirks(nullTargetIds());
    const p1 = await valueOf(`${POOLS}/${P1}/assignments`);
    expect(rec(p1[0].target)).toHaveProperty('groupId', null);
    expect(rec(p1[1].target).groupId).toBe(SAMPLE_GROUP_IDS[1]);
    expect(rec((await valueOf(`${POOLS}/${P3}/assignments`))[0].target)).toMatchObject({ collectionId: null });
    expect(rec(rec(t.emu.getAssignments(P1)?.[0]).target).groupId).toBe(SAMPLE_GROUP_IDS[0]);
  });

  it('enum members this version does not know: a device state value and a filter type', async () => {
    await quirks({
      replies: [
        { path: `${REL}/*/deviceStates`, set: { '/value/0/state': 'someNewValue' } },
        { path: `${REL}/*/assignments`, set: { '/value/1/target/deviceAndAppManagementAssignmentFilterType': 'someNewValue' } },
      ],
    });
    expect((await valueOf(`${POOLS}/${P1}/deviceStates?$top=2`))[0].state).toBe('someNewValue');
    expect(rec((await valueOf(`${POOLS}/${P1}/assignments`))[1].target).deviceAndAppManagementAssignmentFilterType).toBe('someNewValue');
  });

  it('stripTypeHash: every @odata.type in the reply without its "#" (also inside $expand)', async () => {
    await quirks({ replies: [{ path: REL, stripTypeHash: true }, { path: `${REL}/*`, stripTypeHash: true }] });
    for (const p of await valueOf(POOLS)) expect(p['@odata.type']).toBe('microsoft.graph.embeddedSIMActivationCodePool');
    const expanded = rec((await client.get(`${POOLS}/${P1}?$expand=assignments`)).json);
    expect(expanded['@odata.type']).toBe('microsoft.graph.embeddedSIMActivationCodePool');
    const types = arr(expanded.assignments).map((a) => [rec(a)['@odata.type'], rec(rec(a).target)['@odata.type']]);
    expect(types).toEqual([
      ['microsoft.graph.embeddedSIMActivationCodePoolAssignment', 'microsoft.graph.groupAssignmentTarget'],
      ['microsoft.graph.embeddedSIMActivationCodePoolAssignment', 'microsoft.graph.exclusionGroupAssignmentTarget'],
    ]);
  });

  it('activationCodeCount non-integer and over Int32, a bad createdDateTime', async () => {
    await quirks({
      replies: [
        { path: `${REL}/${P1}`, set: { '/activationCodeCount': 2.5, '/createdDateTime': 'not a date' } },
        { path: `${REL}/${P2}`, set: { '/activationCodeCount': 2147483648 } },
      ],
    });
    expect(rec((await client.get(`${POOLS}/${P1}`)).json)).toMatchObject({ activationCodeCount: 2.5, createdDateTime: 'not a date' });
    const p2 = await client.get(`${POOLS}/${P2}`);
    expect(p2.text).toContain('"activationCodeCount":2147483648');
  });

  it('pool ids in a list reply that are empty, not GUIDs, or ".."', async () => {
    await quirks({ replies: [{ path: REL, set: { '/value/0/id': '', '/value/1/id': 'not-a-guid', '/value/2/id': '..' } }] });
    expect((await valueOf(POOLS)).map((p) => p.id)).toEqual(['', 'not-a-guid', '..']);
  });

  it('a single read and a $batch item whose entity id is not the one asked for', async () => {
    await quirks({ replies: [{ path: `${REL}/${P1}`, set: { '/id': P2 } }] });
    expect(rec((await client.get(`${POOLS}/${P1}`)).json).id).toBe(P2);
    const batch = await client.post('/beta/$batch', { requests: [{ id: '1', method: 'GET', url: `${REL}/${P1}` }, { id: '2', method: 'GET', url: `${REL}/${P3}` }] });
    const items = new Map(arr(rec(batch.json).responses).map((r) => [str(rec(r).id), rec(rec(r).body)]));
    expect(items.get('1')?.id).toBe(P2);
    expect(items.get('2')?.id).toBe(P3);
  });

  it('method, times, remove and a scripted reply', async () => {
    await quirks({
      replies: [
        { path: `${REL}/${P1}`, times: 1, remove: ['/displayName'] },
        { method: 'POST', path: `${REL}/*/assign`, reply: { status: 200, body: { value: 'not a collection' }, headers: { 'X-Odd': '1' } } },
      ],
    });
    expect(rec((await client.get(`${POOLS}/${P1}`)).json)).not.toHaveProperty('displayName');
    expect(rec((await client.get(`${POOLS}/${P1}`)).json).displayName).toBe(SAMPLE_POOLS[0].displayName);
    const assign = await client.post(`${POOLS}/${P2}/assign`, { assignments: [] });
    expect(assign.json).toEqual({ value: 'not a collection' });
    expect(assign.headers['x-odd']).toBe('1');
  });

  it('error replies are not edited; a pointer that does not resolve is a loud 500, not a silent no-op', async () => {
    await quirks({ replies: [{ path: `${REL}/*`, set: { '/id': 'x' } }, { path: `${REL}/*/deviceStates`, set: { '/value/99/state': 'x' } }] });
    const missing = await client.get(`${POOLS}/00000000-1111-4222-8333-444444444444`);
    expect(missing.status).toBe(404);
    expect(graphErrorOf(missing).code).toBe('ResourceNotFound');
    const loud = await client.get(`${POOLS}/${P2}/deviceStates`);
    expect(loud.status).toBe(500);
    expect(graphErrorOf(loud).code).toBe('EmulatorQuirkError');
    expect(graphErrorOf(loud).message).toContain('/value/99/state');
  });
});

describe('quirks: Intune-style skiptokens', () => {
  it('a nextLink whose $skiptoken holds spaces and quotes (percent-encoded) pages through when followed as given', async () => {
    await quirks({ skipTokens: 'quoted' });
    const seen: unknown[] = [];
    let next: string | undefined = `${POOLS}?$top=1`;
    const tokens: string[] = [];
    while (next !== undefined) {
      const body = rec((await client.get(next)).json);
      seen.push(...arr(body.value).map((p) => rec(p).id));
      const link = body['@odata.nextLink'];
      if (typeof link !== 'string') break;
      expect(link).toMatch(/\$skiptoken=[^ ']*%20[^ ']*%27/);
      const url = new URL(link);
      tokens.push(url.searchParams.get('$skiptoken') ?? '');
      next = `${url.pathname}${url.search}`;
    }
    expect(seen).toEqual([P1, P2, P3]);
    expect(tokens[0]).toBe("Offset eq 1 and Scope eq 'pools' and Name eq 'Contoso 5G field devices'");
  });

  it('a re-encoded token is refused (400), so a client that mangles the link fails visibly', async () => {
    await quirks({ skipTokens: 'quoted' });
    const link = str(rec((await client.get(`${POOLS}?$top=1`)).json)['@odata.nextLink']);
    const url = new URL(link);
    const mangled = url.search.replace(/%/g, '%25');
    expect((await client.get(`${url.pathname}${mangled}`)).status).toBe(400);
    const wrongScope = await client.get(`${POOLS}/${P1}/deviceStates?$skiptoken=${encodeURIComponent("Offset eq 1 and Scope eq 'pools' and Name eq 'x'")}`);
    expect(wrongScope.status).toBe(400);
  });
});

describe('quirks: control API and EMULATOR_QUIRKS', () => {
  it('GET shows, null clears, reset() restores the start option; invalid rules → 400 naming the property', async () => {
    await quirks({ replies: [{ path: REL, set: { '/value/0/id': '' } }] });
    expect(rec((await client.get('/_emulator/quirks')).json).quirks).toEqual({ replies: [{ path: REL, set: { '/value/0/id': '' } }] });
    await client.call('PUT', '/_emulator/quirks', { body: 'null', token: null });
    expect(rec((await client.get('/_emulator/quirks')).json).quirks).toBeNull();
    expect((await valueOf(POOLS))[0].id).toBe(P1);
    for (const [bad, name] of [
      [{ replies: [{ path: REL }] }, 'changes nothing'],
      [{ replies: [{ path: REL, set: { 'value/0': 1 } }] }, 'JSON Pointer'],
      [{ replies: [{ path: REL, sett: {} }] }, "'sett'"],
      [{ skipTokens: 'base64' }, 'skipTokens'],
      [{ replies: [{ path: REL, reply: { status: 99 } }] }, 'reply.status'],
    ] as const) {
      const res = await client.call('PUT', '/_emulator/quirks', { body: bad, token: null });
      expect(res.status).toBe(400);
      expect(graphErrorOf(res).message).toContain(name);
    }
    await quirks({ skipTokens: 'quoted' });
    t.emu.reset();
    expect(rec((await client.get('/_emulator/quirks')).json).quirks).toBeNull();
  });

  it('EMULATOR_QUIRKS: JSON, validated, naming the variable', () => {
    const q = { replies: [{ path: REL, stripTypeHash: true }], skipTokens: 'quoted' };
    expect(toStartOptions(parseEmulatorEnv({ EMULATOR_QUIRKS: JSON.stringify(q) })).quirks).toEqual(q);
    for (const bad of ['{nope', '{"replies":[{"path":"x","stripTypeHash":true}]}', '{"skipTokens":1}']) {
      expect(() => parseEmulatorEnv({ EMULATOR_QUIRKS: bad })).toThrow(EnvError);
      expect(() => parseEmulatorEnv({ EMULATOR_QUIRKS: bad })).toThrow('EMULATOR_QUIRKS');
    }
  });
});

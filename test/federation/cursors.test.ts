/**
 * Relay cursors over Graph's `$top`/`@odata.nextLink`: real paging round trips, forged cursors refused with
 * BAD_USER_INPUT before any request, and an `@odata.nextLink` Graph returns for another host or path never followed.
 */
import { request } from 'undici';
import { DEVICE_STATE_VALUES, SAMPLE_POOLS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { GraphClient } from '../../src/graph/client';
import type * as CursorModule from '../../src/graphql/cursor';
import { EmulatorCredential } from '../../src/identity/credential';
import { createLogger } from '../../src/observability/logger';
import { createApp, type App } from '../../src/http/app';
import { DEFAULT_CONFIG } from '../support/config';
import { startScriptedGraph, type ScriptedAnswer, type ScriptedCall, type ScriptedGraph } from '../support/scripted-graph';
import { postGraphQL, useStack, type GraphQLReply } from '../support/stack';

const [P1, P2, P3] = SAMPLE_POOLS.map((p) => p.id);
const POOLS_PATH = '/beta/deviceManagement/embeddedSIMActivationCodePools';

const POOLS_PAGE = /* GraphQL */ `
  query Pools($first: Int, $after: String) {
    embeddedSIMActivationCodePools(first: $first, after: $after) {
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

const STATES_PAGE = /* GraphQL */ `
  query States($id: ID!, $first: Int, $after: String) {
    embeddedSIMActivationCodePool(id: $id) {
      deviceStates(first: $first, after: $after) {
        edges {
          cursor
          node { id deviceName userName state stateDetails universalIntegratedCircuitCardIdentifier lastSyncDateTime createdDateTime modifiedDateTime }
        }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  }
`;

interface Connection<N> {
  edges: Array<{ cursor: string; node: N }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor: string | null };
}
interface DeviceState {
  id: string;
  state: string;
  deviceName: string | null;
  lastSyncDateTime: string | null;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unb64 = (cursor: string): Record<string, unknown> => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;

const fixture = useStack();

const pools = (reply: GraphQLReply) => reply.body.data?.embeddedSIMActivationCodePools as Connection<{ id: string }>;
const states = (reply: GraphQLReply) =>
  (reply.body.data?.embeddedSIMActivationCodePool as { deviceStates: Connection<DeviceState> } | null)?.deviceStates;
const touchesDeviceStates = (r: RecordedRequest) => r.path.includes('/deviceStates') || (r.batchItems ?? []).some((i) => i.path.includes('/deviceStates'));

async function allStates(poolId: string, first: number): Promise<{ nodes: DeviceState[]; pages: number }> {
  const nodes: DeviceState[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const reply = await fixture.stack.graphql(STATES_PAGE, { id: poolId, first, after });
    expect(reply.body.errors).toBeUndefined();
    const page = states(reply)!;
    pages++;
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return { nodes, pages };
    after = page.pageInfo.endCursor;
    if (pages > 50) throw new Error('paging does not end');
  }
}

describe('paging round trips', () => {
  it('pages through the pools one at a time, forward only', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 3; i++) {
      const reply = await fixture.stack.graphql(POOLS_PAGE, { first: 1, after });
      expect(reply.body.errors).toBeUndefined();
      const page = pools(reply);
      expect(page.edges).toHaveLength(1);
      expect(page.pageInfo.hasPreviousPage).toBe(false);
      expect(page.pageInfo.hasNextPage).toBe(i < 2);
      seen.push(page.edges[0].node.id);
      after = page.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual([P1, P2, P3].sort());
    // Every page is one GET of the collection with Graph's $top and, after the first, its $skiptoken.
    const sent = fixture.stack.emulator.requests;
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill(`GET ${POOLS_PATH}`));
    expect(sent.map((r) => Object.keys(r.query).sort())).toEqual([['$top'], ['$skiptoken', '$top'], ['$skiptoken', '$top']]);
  });

  it('pages through 25 device states 7 at a time: every state once, in Graph order, with all 8 enum values', async () => {
    const { nodes, pages } = await allStates(P1, 7);
    expect(pages).toBe(4);
    expect(nodes).toHaveLength(25);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(25);
    const { nodes: inOnePage } = await allStates(P1, 100);
    expect(nodes.map((n) => n.id)).toEqual(inOnePage.map((n) => n.id));
    expect(new Set(nodes.map((n) => n.state))).toEqual(
      new Set(['NOT_EVALUATED', 'FAILED', 'INSTALLING', 'INSTALLED', 'DELETING', 'ERROR', 'DELETED', 'REMOVED_BY_USER']),
    );
    expect(DEVICE_STATE_VALUES).toHaveLength(8);
  });

  it("maps every EmbeddedSIMDeviceState field from Graph's wire shape", async () => {
    const res = await request(`${fixture.stack.emulator.url}${POOLS_PATH}/${P1}/deviceStates?$top=100`, { headers: { authorization: 'Bearer test' } });
    const wire = ((await res.body.json()) as { value: Array<Record<string, unknown>> }).value;
    const toEnum = (value: unknown) => String(value).replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    const { nodes } = await allStates(P1, 100);
    expect(nodes).toEqual(
      wire.map((w) => ({
        id: w.id,
        deviceName: w.deviceName,
        userName: w.userName,
        state: toEnum(w.state),
        stateDetails: w.stateDetails,
        universalIntegratedCircuitCardIdentifier: w.universalIntegratedCircuitCardIdentifier,
        lastSyncDateTime: w.lastSyncDateTime,
        createdDateTime: w.createdDateTime,
        modifiedDateTime: w.modifiedDateTime,
      })),
    );
    expect(nodes.some((n) => n.deviceName === null || n.lastSyncDateTime === null)).toBe(true);
  });

  it('continues after any edge’s cursor, not only endCursor', async () => {
    const first = states(await fixture.stack.graphql(STATES_PAGE, { id: P1, first: 10 }))!;
    const third = first.edges[2];
    const rest = states(await fixture.stack.graphql(STATES_PAGE, { id: P1, first: 4, after: third.cursor }))!;
    expect(rest.edges.map((e) => e.node.id)).toEqual(first.edges.slice(3, 7).map((e) => e.node.id));
  });

  it('a cursor holds the collection, the allow-listed page token and an offset — never a URL', async () => {
    const page = pools(await fixture.stack.graphql(POOLS_PAGE, { first: 1 }));
    const data = unb64(page.pageInfo.endCursor!);
    expect(Object.keys(data).sort()).toEqual(['c', 'o', 't']);
    expect(data.c).toBe('pools');
    expect(Object.keys(data.t as object)).toContain('$skiptoken');
    expect(Object.keys(data.t as object).every((k) => ['$skiptoken', '$skip', '$top'].includes(k))).toBe(true);
    expect(JSON.stringify(data)).not.toMatch(/https?:|127\.0\.0\.1|\/beta/);
  });
});

describe('forged cursors: BAD_USER_INPUT, and no request to Graph (or harmless)', () => {
  const valid = { c: 'pools', t: { $skiptoken: 'ZXNpbTF8cG9vbHN8MQ' }, o: 0 };
  const forged: Array<[string, string]> = [
    ['a URL instead of a cursor', 'https://evil.example/beta/users'],
    ['a path instead of a cursor', '../../users'],
    ['a cursor with a query string appended', `${b64(valid)}?$filter=x`],
    ['the empty string', ''],
    ['base64url that is not JSON', Buffer.from('not json').toString('base64url')],
    ['JSON null', b64(null)],
    ['a JSON array', b64(['pools', {}, 0])],
    ['a JSON string', b64('https://evil.example/')],
    ['an extra `url` field', b64({ ...valid, url: 'https://evil.example/beta/deviceManagement/embeddedSIMActivationCodePools' })],
    ['an extra `host` field', b64({ ...valid, host: 'evil.example' })],
    ['an extra `path` field', b64({ ...valid, path: '/beta/users' })],
    ['an extra `__proto__` field', Buffer.from(`{"c":"pools","t":{},"o":0,"__proto__":{"x":1}}`).toString('base64url')],
    ['a nextLink in place of the token', b64({ ...valid, t: { '@odata.nextLink': 'https://evil.example/beta/users' } })],
    ['a non-paging parameter in the token', b64({ ...valid, t: { $filter: "displayName eq 'x'" } })],
    ['a skiptoken with a newline', b64({ ...valid, t: { $skiptoken: 'abc\r\nHost: evil.example' } })],
    ['a skiptoken with a NUL', b64({ ...valid, t: { $skiptoken: 'abc\u0000' } })],
    ['a skiptoken with a lone surrogate', b64({ ...valid, t: { $skiptoken: 'abc\ud800' } })],
    ['a skiptoken over 2048 bytes', b64({ ...valid, t: { $skiptoken: 'é'.repeat(1025) } })],
    ['a non-numeric $skip', b64({ ...valid, t: { $skip: '1/../x' } })],
    ['an empty skiptoken', b64({ ...valid, t: { $skiptoken: '' } })],
    ['a number as the token value', b64({ ...valid, t: { $skip: 5 } })],
    ['another collection (a device-state cursor)', b64({ ...valid, c: `deviceStates:${P1}` })],
    ['an unknown collection', b64({ ...valid, c: 'users' })],
    ['a negative offset', b64({ ...valid, o: -1 })],
    ['a fractional offset', b64({ ...valid, o: 1.5 })],
    ['a huge offset', b64({ ...valid, o: 1_000_000 })],
    ['an offset as a string', b64({ ...valid, o: '0' })],
    ['a missing collection', b64({ t: {}, o: 0 })],
    ['an oversized cursor', 'A'.repeat(9000)],
  ];

  it('the reference cursor itself is accepted (so each case below differs only in what it forges)', async () => {
    const reply = await fixture.stack.graphql(POOLS_PAGE, { first: 1, after: b64(valid) });
    expect(reply.body.errors).toBeUndefined();
    expect(fixture.stack.emulator.requests).toHaveLength(1);
  });

  it.each(forged)('pools: %s', async (_name, after) => {
    const reply = await fixture.stack.graphql(POOLS_PAGE, { first: 1, after });
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['embeddedSIMActivationCodePools'], extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    expect(fixture.stack.emulator.requests).toHaveLength(0);
  });

  it.each(forged)('deviceStates: %s', async (_name, after) => {
    // Re-target the pools forgeries to this collection, so only the forged part is wrong.
    const retargeted = after.length < 4096 && /^[A-Za-z0-9_-]+$/.test(after) ? retarget(after, `deviceStates:${P1}`) : after;
    const reply = await fixture.stack.graphql(STATES_PAGE, { id: P1, first: 5, after: retargeted });
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    expect(fixture.stack.emulator.requests.filter(touchesDeviceStates)).toHaveLength(0);
  });

  it("another pool's device-state cursor is refused", async () => {
    const p1Page = states(await fixture.stack.graphql(STATES_PAGE, { id: P1, first: 2 }))!;
    fixture.stack.emulator.clearRequests();
    const reply = await fixture.stack.graphql(STATES_PAGE, { id: P3, first: 2, after: p1Page.pageInfo.endCursor });
    expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    expect(fixture.stack.emulator.requests.filter(touchesDeviceStates)).toHaveLength(0);
  });

  it('a pools cursor is refused for device states, and a device-state cursor for pools', async () => {
    const poolCursor = pools(await fixture.stack.graphql(POOLS_PAGE, { first: 1 })).pageInfo.endCursor;
    const stateCursor = states(await fixture.stack.graphql(STATES_PAGE, { id: P1, first: 2 }))!.pageInfo.endCursor;
    fixture.stack.emulator.clearRequests();
    const a = await fixture.stack.graphql(STATES_PAGE, { id: P1, first: 2, after: poolCursor });
    const b = await fixture.stack.graphql(POOLS_PAGE, { first: 1, after: stateCursor });
    expect(a.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(b.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(fixture.stack.emulator.requests.filter(touchesDeviceStates)).toHaveLength(0);
    expect(fixture.stack.emulator.requests.filter((r) => r.path === POOLS_PATH)).toHaveLength(0);
  });

  // Intune's skiptokens are text (quoted names with spaces, `&`, `/`, `%`…), so a cursor may carry any printable
  // text: a forged one can only make one GET of the collection's own path, the text percent-encoded as its
  // $skiptoken, and Graph's 400 for it is the caller's BAD_USER_INPUT.
  it.each([
    ['a URL', 'https://evil.example/beta/users'],
    ['a path', '../../users'],
    ['a query', 'abc?$expand=*'],
    ['&', 'abc&$select=*'],
    ['a fragment', 'abc#x'],
    ['percent-encoding', 'abc%2F..%2Fusers'],
    ['a host', 'user@evil.example'],
  ])('a skiptoken with %s: one GET of the collection itself, the text as its $skiptoken only', async (_name, skiptoken) => {
    const reply = await fixture.stack.graphql(POOLS_PAGE, { first: 1, after: b64({ ...valid, t: { $skiptoken: skiptoken } }) });
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['embeddedSIMActivationCodePools'], extensions: { code: 'BAD_USER_INPUT', graph: { status: 400 } } });
    const sent = fixture.stack.emulator.requests;
    expect(sent.map((r) => [r.method, r.path, r.query])).toEqual([['GET', POOLS_PATH, { $top: '1', $skiptoken: skiptoken }]]);
    expect(sent[0].rawPath).toBe(`${POOLS_PATH}?$top=1&$skiptoken=${encodeURIComponent(skiptoken).replace(/'/g, '%27')}`);
  });

  it('first out of range is BAD_USER_INPUT naming `first`, with no request', async () => {
    for (const first of [0, -1, 101]) {
      const reply = await fixture.stack.graphql(POOLS_PAGE, { first });
      expect(reply.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
    }
    expect(fixture.stack.emulator.requests).toHaveLength(0);
  });
});

/** The same forged cursor aimed at another collection (for JSON object cursors that name one). */
function retarget(cursor: string, collection: string): string {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return cursor;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return cursor;
  const record = data as Record<string, unknown>;
  // Point the pools forgeries at this collection; a forgery naming this collection names the pools instead.
  if (record.c === 'pools') return b64({ ...record, c: collection });
  if (record.c === collection) return b64({ ...record, c: 'pools' });
  return cursor;
}

describe('an @odata.nextLink from Graph that leaves the collection is never followed', () => {
  let upstream: ScriptedGraph;
  let elsewhere: ScriptedGraph;
  let app: App;
  let graph: GraphClient;
  let url: string;
  /** The nextLink the scripted Graph gives on the first page, per test. */
  let nextLink: (origin: string) => string;

  const pool = (id: string) => ({ id, displayName: `pool ${id.slice(0, 4)}`, activationCodeCount: 1, createdDateTime: '2026-01-01T00:00:00Z', modifiedDateTime: '2026-01-01T00:00:00Z' });
  const state = (n: number) => ({ id: `s-${n}`, state: 'installed', createdDateTime: '2026-01-01T00:00:00Z', modifiedDateTime: '2026-01-01T00:00:00Z' });

  function answer(call: ScriptedCall, origin: string): ScriptedAnswer {
    if (call.path === POOLS_PATH) {
      if (call.query.$skiptoken) return { status: 200, body: { value: [pool(P2)] } };
      return { status: 200, body: { value: [pool(P1)], '@odata.nextLink': nextLink(origin) } };
    }
    const m = /^\/beta\/deviceManagement\/embeddedSIMActivationCodePools\/([^/]+)(\/deviceStates)?$/.exec(call.path);
    if (m && !m[2]) return { status: 200, body: pool(m[1]) };
    if (m && m[2]) return { status: 200, body: { value: [state(1)], '@odata.nextLink': nextLink(origin).replace(POOLS_PATH, `${POOLS_PATH}/${m[1]}/deviceStates`) } };
    return { status: 404, body: { error: { code: 'ResourceNotFound', message: 'no' } } };
  }

  beforeAll(async () => {
    upstream = await startScriptedGraph((call, origin) => answer(call, origin));
    elsewhere = await startScriptedGraph(() => ({ status: 200, body: { value: [pool(P3)] } }));
    graph = new GraphClient(upstream.url, new EmulatorCredential(), { scope: 'https://graph.microsoft.com/.default', retry: { baseDelayMs: 1, maxDelayMs: 1 } });
    app = await createApp({ config: DEFAULT_CONFIG, graph, logger: createLogger('silent') });
    const address = await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${address.port}/graphql`;
  });
  afterAll(async () => {
    await app?.close(1000);
    await graph?.close();
    await upstream?.close();
    await elsewhere?.close();
  });
  beforeEach(() => {
    upstream.calls.length = 0;
    elsewhere.calls.length = 0;
  });

  const foreign: Array<[string, (origin: string) => string]> = [
    ['another host', () => `https://evil.example${POOLS_PATH}?$skiptoken=abc`],
    ['another port on this machine', () => `${elsewhere.url}${POOLS_PATH}?$skiptoken=abc`],
    ['another scheme', (origin) => `${origin.replace('http:', 'https:')}${POOLS_PATH}?$skiptoken=abc`],
    ['another path on the Graph host', (origin) => `${origin}/beta/users?$skiptoken=abc`],
    ['another API version', (origin) => `${origin}/v1.0/deviceManagement/embeddedSIMActivationCodePools?$skiptoken=abc`],
    ['a path that climbs out with ..', (origin) => `${origin}${POOLS_PATH}/../../users?$skiptoken=abc`],
    ['an encoded path', (origin) => `${origin}${POOLS_PATH}%2F..%2F..%2Fusers?$skiptoken=abc`],
    ['a relative link', () => `${POOLS_PATH}?$skiptoken=abc`],
    ['not a URL', () => 'javascript:alert(1)'],
  ];

  it.each(foreign)('pools: %s → UPSTREAM_ERROR, nothing followed', async (_name, link) => {
    nextLink = link;
    const reply = await postGraphQL(url, POOLS_PAGE, { first: 1 });
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(reply.body)).not.toContain('evil.example');
    expect(JSON.stringify(reply.body)).not.toContain(elsewhere.url);
    expect(upstream.calls.map((c) => c.path)).toEqual([POOLS_PATH]);
    expect(elsewhere.calls).toHaveLength(0);
  });

  it.each(foreign)("deviceStates: %s → that pool's UPSTREAM_ERROR only", async (_name, link) => {
    nextLink = link;
    const reply = await postGraphQL(
      url,
      /* GraphQL */ `{
        a: embeddedSIMActivationCodePool(id: "${P1}") { id deviceStates(first: 1) { edges { node { id } } } }
        b: embeddedSIMActivationCodePool(id: "${P2}") { id }
      }`,
    );
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['a', 'deviceStates'], extensions: { code: 'UPSTREAM_ERROR' } });
    expect(reply.body.data?.b).toEqual({ id: P2 });
    expect(upstream.calls.filter((c) => c.path.endsWith('/deviceStates'))).toHaveLength(1);
    expect(elsewhere.calls).toHaveLength(0);
  });

  it('a nextLink on the same collection keeps only its paging parameters', async () => {
    nextLink = (origin) => `${origin}${POOLS_PATH}?$skiptoken=abc&$filter=x&$expand=*&$select=id&api-version=9`;
    const first = await postGraphQL(url, POOLS_PAGE, { first: 1 });
    expect(first.body.errors).toBeUndefined();
    const end = pools(first).pageInfo.endCursor;
    expect(unb64(end!).t).toEqual({ $skiptoken: 'abc' });
    const second = await postGraphQL(url, POOLS_PAGE, { first: 1, after: end });
    expect(second.body.errors).toBeUndefined();
    expect(pools(second).edges.map((e) => e.node.id)).toEqual([P2]);
    expect(upstream.calls.map((c) => c.query)).toEqual([{ $top: '1' }, { $top: '1', $skiptoken: 'abc' }]);
  });
});

describe('cursor tokens', () => {
  it('keep base64 skip tokens (with / + =) usable', () => {
    const { encodeCursor, decodeCursor } = jest.requireActual<typeof CursorModule>('../../src/graphql/cursor');
    const token = { $skiptoken: 'ZXNpbTF8/cG9vbHN+8Mg==' };
    expect(decodeCursor(encodeCursor('pools', token, 0), 'pools')).toEqual({ next: token, offset: 0 });
  });
});

/**
 * A cursor the subgraph made is always accepted back, by any replica: Intune-style `$skiptoken`s (text with spaces
 * and quoted names, the emulator's `skipTokens: 'quoted'`) page on, and the next page is asked for with the token
 * exactly as Graph's nextLink wrote it.
 */
import { request } from 'undici';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { GraphClient } from '../../src/graph/client';
import { EmulatorCredential } from '../../src/identity/credential';
import { createApp, type App } from '../../src/http/app';
import { createLogger } from '../../src/observability/logger';
import { DEFAULT_CONFIG } from '../support/config';
import { postGraphQL, startStack, type GraphQLReply, type Stack } from '../support/stack';

const POOLS_PATH = '/beta/deviceManagement/embeddedSIMActivationCodePools';
const P1 = SAMPLE_POOLS[0].id;
/** A display name with everything a quoted skiptoken must carry: a doubled quote, `&`, `/`, `%`, `"`, `#`, `?`, `..`. */
const ODD_NAME = `R&D / 50% "O'Brien" #1? ..`;

const POOLS_PAGE = /* GraphQL */ `
  query Pools($after: String) {
    embeddedSIMActivationCodePools(first: 1, after: $after) { edges { node { id displayName } } pageInfo { hasNextPage endCursor } }
  }
`;
const STATES_PAGE = /* GraphQL */ `
  query States($after: String) {
    embeddedSIMActivationCodePool(id: "${P1}") { deviceStates(first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }
  }
`;

interface Page {
  edges: Array<{ node: { id: string; displayName?: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

let stack: Stack;
/** A second replica: its own app and Graph client, no state shared with the first but the emulator. */
let replica: { app: App; graph: GraphClient; url: string };

beforeAll(async () => {
  stack = await startStack({ emulator: { quirks: { skipTokens: 'quoted' } } });
  const graph = new GraphClient(stack.emulator.url, new EmulatorCredential(), { scope: 'https://graph.microsoft.com/.default', retry: { baseDelayMs: 1, maxDelayMs: 1 } });
  const app = await createApp({ config: DEFAULT_CONFIG, graph, logger: createLogger('silent') });
  const address = await app.listen(0, '127.0.0.1');
  replica = { app, graph, url: `http://127.0.0.1:${address.port}/graphql` };
  // The first pool's name is in the first page's token (Intune's tokens carry the page's last name).
  const renamed = await request(`${stack.emulator.url}${POOLS_PATH}/${P1}`, {
    method: 'PATCH',
    headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: ODD_NAME }),
  });
  expect(renamed.statusCode).toBe(200);
  await renamed.body.dump();
});
afterAll(async () => {
  await replica?.app.close(1000);
  await replica?.graph.close();
  await stack?.stop();
});

/** Pages to the end, each page from the given replica in turn; every endCursor must be accepted. */
async function pageThrough(query: string, pick: (reply: GraphQLReply) => Page, urls: string[]): Promise<Page['edges']> {
  const edges: Page['edges'] = [];
  let after: string | null = null;
  for (let n = 0; n < 50; n++) {
    const reply = await postGraphQL(urls[n % urls.length], query, { after });
    expect(reply.body.errors).toBeUndefined();
    const page = pick(reply);
    edges.push(...page.edges);
    if (!page.pageInfo.hasNextPage) return edges;
    expect(page.pageInfo.endCursor).not.toBeNull();
    after = page.pageInfo.endCursor;
  }
  throw new Error('paging does not end');
}

const pools = (reply: GraphQLReply) => reply.body.data?.embeddedSIMActivationCodePools as Page;
const states = (reply: GraphQLReply) => (reply.body.data?.embeddedSIMActivationCodePool as { deviceStates: Page }).deviceStates;

it('pools one at a time, alternating replicas: every cursor accepted, every pool once, past an odd name', async () => {
  stack.emulator.clearRequests();
  const edges = await pageThrough(POOLS_PAGE, pools, [stack.url, replica.url]);
  expect(edges.map((e) => e.node.displayName)).toEqual([ODD_NAME, SAMPLE_POOLS[1].displayName, SAMPLE_POOLS[2].displayName]);
  // Each follow-up asked for the page with the skiptoken as Graph wrote it: percent-encoded, `%20` and `%27`.
  const tokens = stack.emulator.requests.map((r) => r.query.$skiptoken).filter((t) => t !== undefined);
  expect(tokens).toHaveLength(2);
  expect(tokens.some((t) => t.includes("O''Brien"))).toBe(true);
  for (const r of stack.emulator.requests.filter((x) => x.query.$skiptoken !== undefined)) {
    expect(r.rawPath).toContain(`$skiptoken=${encodeURIComponent(r.query.$skiptoken).replace(/'/g, '%27')}`);
    expect(r.rawPath).not.toContain('+');
  }
});

it("25 device states seven at a time, each page from the other replica: the nextLink's quoted token pages on", async () => {
  const edges = await pageThrough(STATES_PAGE, states, [replica.url, stack.url]);
  expect(edges).toHaveLength(25);
  expect(new Set(edges.map((e) => e.node.id)).size).toBe(25);
});

it.each([
  ['a control character', 'a%0Ab'],
  ['broken percent-encoding (dropping it would restart the list)', 'a%zzb'],
])("a skiptoken Graph wrote with %s is Graph's invalid reply (UPSTREAM_ERROR), never a cursor", async (_name, token) => {
  stack.emulator.setQuirks({
    skipTokens: 'quoted',
    replies: [{ path: '/deviceManagement/embeddedSIMActivationCodePools', set: { '/@odata.nextLink': `${stack.emulator.url}${POOLS_PATH}?$top=1&$skiptoken=${token}` } }],
  });
  try {
    const reply = await stack.graphql(POOLS_PAGE, { after: null });
    expect(reply.body.data).toBeNull();
    expect(reply.body.errors?.[0]).toMatchObject({ path: ['embeddedSIMActivationCodePools'], extensions: { code: 'UPSTREAM_ERROR' } });
  } finally {
    stack.emulator.setQuirks({ skipTokens: 'quoted' });
  }
});

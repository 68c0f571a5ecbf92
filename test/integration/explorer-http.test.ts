/**
 * The explorer over HTTP, without a browser: the page's headers (no-store, Content-Security-Policy), its tabs (one
 * per example operation or group of them, each valid against the schema, with only its own variables), and the built assets
 * (content types, immutable caching, gzip, nothing served that the build did not list). The browser side is in
 * test/browser/explorer.test.ts. Needs `npm run build` first (npm test does it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Kind, parse, validate } from 'graphql';
import { request } from 'undici';
import { EXAMPLE_VARIABLES } from '../../src/graphql/examples';
import { buildSchema } from '../../src/graphql/schema';
import { createExplorer, defaultHeaders, exampleTabs, IMMUTABLE, openExplorerAssets, SANDBOX_FRAME_ORIGIN, SANDBOX_SCRIPT_ORIGIN } from '../../src/http/explorer';
import { CONFIG_ELEMENT_ID, type ExplorerPageConfig } from '../../src/http/explorer/config';
import { createLogger } from '../../src/observability/logger';
import { exampleTabNames } from '../support/examples';
import { startStack, type Stack } from '../support/stack';

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { method: 'GET', headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

function configOf(html: string): ExplorerPageConfig {
  const match = new RegExp(`<script type="application/json" id="${CONFIG_ELEMENT_ID}">(.*?)</script>`, 's').exec(html);
  if (!match) throw new Error('no explorer configuration in the page');
  return JSON.parse(match[1]) as ExplorerPageConfig;
}

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
}

describe('the explorer page and its assets, outside production', () => {
  let stack: Stack;
  let origin: string;
  beforeAll(async () => {
    if (!openExplorerAssets()) throw new Error('the offline explorer is not built: run `npm run build` (npm test does) first');
    stack = await startStack();
    origin = new URL(stack.url).origin;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the page uncached, with a policy that allows this server and only the Sandbox attempt besides', async () => {
    const page = await get(stack.url, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = directives(String(page.headers['content-security-policy']));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'", SANDBOX_SCRIPT_ORIGIN]);
    expect(csp.get('frame-src')).toEqual([SANDBOX_FRAME_ORIGIN]);
    for (const name of ['connect-src', 'font-src', 'worker-src']) expect(csp.get(name)).toEqual(["'self'"]);
    // data: images: Monaco draws its error squiggles as data: SVGs at run time (no request).
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    // No inline script at all (the configuration is a JSON block), and no eval.
    expect(String(page.headers['content-security-policy'])).not.toContain('unsafe-eval');
    expect(page.body.toString()).not.toMatch(/<script(?![^>]*(type="application\/json"|type="module" src="\/graphql\/explorer\/))/);
  });

  it('has one tab per example operation (or group of them): valid against the schema, with only the variables its operations declare', async () => {
    const config = configOf((await get(stack.url, { accept: 'text/html' })).body.toString());
    const schema = buildSchema();
    expect(config.tabs.map((tab) => tab.name)).toEqual(exampleTabNames());
    for (const tab of config.tabs) {
      const document = parse(tab.query);
      expect(validate(schema, document)).toEqual([]);
      const declared = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? (d.variableDefinitions ?? []).map((v) => v.variable.name.value) : []));
      expect(Object.keys(JSON.parse(tab.variables) as object).sort()).toEqual([...new Set(declared)].filter((name) => name in EXAMPLE_VARIABLES).sort());
    }
    // The description above an operation goes with it.
    expect(config.tabs[0].query.startsWith('# Assigns a pool')).toBe(true);
    // The history tab: its two steps in the order they are run, the steps described first, the sample pool and a
    // dry run preloaded.
    const history = config.tabs.find((tab) => tab.name === 'PoolHistory');
    expect(history?.query.startsWith('# History and restore')).toBe(true);
    const names = parse(history?.query ?? '').definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name?.value] : []));
    expect(names).toEqual(['PoolHistory', 'RestorePool']);
    expect(JSON.parse(history?.variables ?? '{}')).toMatchObject({ poolId: EXAMPLE_VARIABLES.poolId, dryRun: true, entryId: EXAMPLE_VARIABLES.entryId });
  });

  it('serves every built asset with its content type, cached as immutable, and gzipped when asked', async () => {
    const store = openExplorerAssets();
    if (!store) throw new Error('not built');
    const types: Record<string, RegExp> = { js: /^text\/javascript/, css: /^text\/css/, woff2: /^font\/woff2$/, woff: /^font\/woff$/, ttf: /^font\/ttf$/, svg: /^image\/svg\+xml$/, png: /^image\/png$/ };
    const names = Object.keys(store.manifest.files);
    expect(names).toEqual(expect.arrayContaining(Object.values(store.manifest.assets).filter((v): v is string => typeof v === 'string')));
    for (const name of names) {
      expect(name).toMatch(/-[A-Z0-9]{8}\.[a-z0-9]+$/);
      const asset = await get(`${origin}/graphql/explorer/${name}`);
      expect(asset.status).toBe(200);
      expect(String(asset.headers['content-type'])).toMatch(types[name.split('.').pop() ?? '']);
      expect(asset.headers['cache-control']).toBe(IMMUTABLE);
      expect(asset.body.length).toBe(store.manifest.files[name]);
    }
    const script = `${origin}/graphql/explorer/${store.manifest.assets.graphiql}`;
    const zipped = await get(script, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).length).toBe(store.manifest.files[store.manifest.assets.graphiql]);
    expect(zipped.body.length).toBeLessThan(store.manifest.files[store.manifest.assets.graphiql] / 2);
  });

  it('serves nothing the build did not list', async () => {
    for (const path of ['manifest.json', 'nope-ABCDEFGH.js', '', '..%2Fmanifest.json']) {
      const res = await get(`${origin}/graphql/explorer/${path}`);
      expect(res.status).toBe(404);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    // Dot segments are resolved before routing (to /package.json here): never a file outside the build.
    const traversal = await get(`${origin}/graphql/explorer/%2e%2e/%2e%2e/package.json`);
    expect(traversal.status).toBe(404);
    expect(traversal.body.toString()).not.toContain('esim-pools-subgraph');
    const post = await request(`${origin}/graphql/explorer/x.js`, { method: 'POST', body: '' });
    await post.body.text();
    expect(post.statusCode).toBe(405);
  });

  it('leaves GraphQL at the endpoint alone: POST, and GET with a query', async () => {
    expect((await stack.graphql('{ __typename }')).body.data).toEqual({ __typename: 'Query' });
    const viaGet = await get(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, { accept: 'text/html, application/json', 'apollo-require-preflight': 'true' });
    expect(JSON.parse(viaGet.body.toString())).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('the explorer in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { production: true, introspection: false } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is not served: the plain page, and no assets', async () => {
    const store = openExplorerAssets();
    const page = await get(stack.url, { accept: 'text/html' });
    expect(page.body.toString()).not.toContain(CONFIG_ELEMENT_ID);
    const origin = new URL(stack.url).origin;
    const asset = await get(`${origin}/graphql/explorer/${store?.manifest.assets.landing ?? 'landing.js'}`);
    expect(asset.status).toBe(404);
  });
});

describe('the explorer without a build', () => {
  it('still serves the page, which says how to build the offline explorer', () => {
    const empty = mkdtempSync(join(tmpdir(), 'explorer-none-'));
    try {
      const explorer = createExplorer({ logger: createLogger('silent'), tokensRequired: false, assetDir: empty });
      expect(explorer.config.assets).toBeUndefined();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('example tabs', () => {
  it('give each operation the fragments it uses (transitively) and no others, and its own variables', () => {
    const document = `# Lists.
query A($first: Int) { embeddedSIMActivationCodePools(first: $first) { edges { node { ...Pool } } } }

# One.
query B($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id } }

fragment Pool on EmbeddedSIMActivationCodePool { id ...Name }
fragment Name on EmbeddedSIMActivationCodePool { displayName }
`;
    const tabs = exampleTabs(document, { first: 5, id: 'x', unused: true }, {});
    expect(tabs.map((t) => t.name)).toEqual(['A', 'B']);
    expect(tabs[0].query).toContain('fragment Pool');
    expect(tabs[0].query).toContain('fragment Name');
    expect(tabs[1].query).not.toContain('fragment');
    expect(tabs[1].query.startsWith('# One.')).toBe(true);
    expect(JSON.parse(tabs[0].variables)).toEqual({ first: 5 });
    expect(JSON.parse(tabs[1].variables)).toEqual({ id: 'x' });
    for (const tab of tabs) expect(validate(buildSchema(), parse(tab.query))).toEqual([]);
  });

  it('put grouped operations in one tab, where and as the first is named, with their fragments and variables; refuse a group naming no operation', () => {
    const document = `# First.
query A($first: Int) { embeddedSIMActivationCodePools(first: $first) { edges { node { ...Pool } } } }

# Steps.
query B($id: ID!) { embeddedSIMActivationCodePool(id: $id) { id } }

query C { embeddedSIMActivationCodePools { totalCount } }

mutation D($id: ID!, $name: String) { updateEmbeddedSIMActivationCodePool(id: $id, input: { displayName: $name }) { pool { ...Pool } } }

fragment Pool on EmbeddedSIMActivationCodePool { id }
`;
    const tabs = exampleTabs(document, { first: 5, id: 'x', name: 'n' }, {}, { Steps: ['B', 'D'] });
    expect(tabs.map((t) => t.name)).toEqual(['A', 'B', 'C']);
    expect(tabs[1].query.startsWith('# Steps.')).toBe(true);
    expect(parse(tabs[1].query).definitions.map((d) => ('name' in d ? d.name?.value : undefined))).toEqual(['B', 'D', 'Pool']);
    expect(JSON.parse(tabs[1].variables)).toEqual({ id: 'x', name: 'n' });
    for (const tab of tabs) expect(validate(buildSchema(), parse(tab.query))).toEqual([]);
    expect(() => exampleTabs(document, {}, {}, { Steps: ['B', 'Nope'] })).toThrow('the example tab "Steps" names Nope, which the example document does not define');
  });

  it('start with a bearer token placeholder when the subgraph requires tokens', () => {
    expect(defaultHeaders(false)).toEqual({});
    expect(Object.keys(defaultHeaders(true))).toEqual(['Authorization']);
  });
});

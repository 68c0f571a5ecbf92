/**
 * The landing page and introspection: outside production the explorer page (Apollo Sandbox, or the offline GraphiQL
 * when Sandbox cannot load: test/browser/explorer.test.ts) with the example operations preloaded (variables naming
 * the emulator's sample data); in production a plain page, and introspection only when configured
 * (`INTROSPECTION=true`). Uses createApp (through the stack) with each configuration.
 */
import { Kind, parse, validate } from 'graphql';
import { request } from 'undici';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES } from '../../src/graphql/examples';
import { buildSchema } from '../../src/graphql/schema';
import { CONFIG_ELEMENT_ID, type ExplorerPageConfig } from '../../src/http/explorer/config';
import { SANDBOX_SCRIPT_ORIGIN } from '../../src/http/explorer';
import { exampleTabNames } from '../support/examples';
import { startStackWithHistory } from '../support/history-stack';
import { startStack, type Stack } from '../support/stack';

async function getPage(url: string, accept = 'text/html') {
  const res = await request(url, { method: 'GET', headers: { accept } });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** The configuration the page hands its script (src/http/explorer/config.ts). */
function explorerConfig(html: string): ExplorerPageConfig {
  const match = new RegExp(`<script type="application/json" id="${CONFIG_ELEMENT_ID}">(.*?)</script>`, 's').exec(html);
  if (!match) throw new Error('no explorer configuration in the page');
  return JSON.parse(match[1]) as ExplorerPageConfig;
}

const INTROSPECT = '{ __schema { queryType { name } } }';

describe('outside production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStackWithHistory({ config: { production: false, introspection: true } });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => stack.emulator.reset());

  it('serves the explorer page at the GraphQL endpoint: Sandbox from its CDN, pointed at that endpoint, with the examples preloaded', async () => {
    const page = await getPage(stack.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const config = explorerConfig(page.text);
    expect(config.sandboxScript.startsWith(`${SANDBOX_SCRIPT_ORIGIN}/`)).toBe(true);
    // Both explorers talk to this endpoint only (the page makes it absolute against its own URL).
    expect(config.endpoint).toBe('/graphql');
    expect(config.sandbox).toEqual({ document: EXAMPLE_DOCUMENT, variables: EXAMPLE_VARIABLES, headers: {} });
    // One tab per example operation (or group of them), in the document's order, and nothing else; the assign
    // mutation opens first.
    const tabs = config.tabs.map((tab) => tab.name);
    expect(tabs).toEqual(exampleTabNames());
    expect(tabs[0]).toBe('AssignPool');
  });

  it('redirects / to the endpoint', async () => {
    const res = await request(stack.url.replace(/\/graphql$/, '/'), { method: 'GET' });
    await res.body.text();
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/graphql');
  });

  it('the examples are the assign, add, remove, bulk add, history, restore, create, rename and delete operations and a pools query, valid against schema/', () => {
    const document = parse(EXAMPLE_DOCUMENT);
    expect(validate(buildSchema(), document)).toEqual([]);
    const operations = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [[d.operation, d.name?.value]] : []));
    expect(operations).toEqual([
      ['mutation', 'AssignPool'],
      ['mutation', 'AddAssignments'],
      ['mutation', 'RemoveAssignments'],
      ['mutation', 'BulkAdd'],
      ['query', 'PoolHistory'],
      ['mutation', 'RestorePool'],
      ['mutation', 'CreatePool'],
      ['mutation', 'RenamePool'],
      ['mutation', 'DeletePool'],
      ['query', 'Pools'],
    ]);
  });

  it("the examples' variables name the emulator's sample data, and every operation runs (the delete harmlessly: NOT_FOUND)", async () => {
    expect(EXAMPLE_VARIABLES.poolId).toBe(SAMPLE_POOLS[0].id);
    const groupIds = EXAMPLE_VARIABLES.assignments.map((a) => a.target.groupId);
    expect(groupIds.every((id) => SAMPLE_GROUP_IDS.includes(id))).toBe(true);

    const post = (operationName: string) =>
      request(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: EXAMPLE_DOCUMENT, operationName, variables: EXAMPLE_VARIABLES }),
      }).then(async (res) => JSON.parse(await res.body.text()) as { data?: Record<string, unknown>; errors?: unknown[] });
    const assigned = await post('AssignPool');
    expect(assigned.errors).toBeUndefined();
    expect(stack.emulator.getAssignments(SAMPLE_POOLS[0].id)).toHaveLength(EXAMPLE_VARIABLES.assignments.length);
    // The edits are preloaded as dry runs: they answer, and nothing is assigned.
    const assigns = stack.emulator.requestCount((r) => r.path.endsWith('/assign'));
    for (const name of ['AddAssignments', 'RemoveAssignments', 'BulkAdd']) {
      const edit = await post(name);
      expect(edit.errors).toBeUndefined();
    }
    expect(stack.emulator.requestCount((r) => r.path.endsWith('/assign'))).toBe(assigns);
    const listed = await post('Pools');
    expect(listed.errors).toBeUndefined();
    const edges = (listed.data?.embeddedSIMActivationCodePools as { edges: unknown[] }).edges;
    expect(edges).toHaveLength(SAMPLE_POOLS.length);
    // The lifecycle examples as harmless as they can be: a pool of sample codes, a rename to the same name, and a
    // delete of an id that names no pool.
    const created = await post('CreatePool');
    expect(created.errors).toBeUndefined();
    const { pool } = created.data?.createEmbeddedSIMActivationCodePool as { pool: { id: string; activationCodeCount: number } };
    expect(pool.activationCodeCount).toBe(EXAMPLE_VARIABLES.createInput.activationCodes.length);
    expect(stack.emulator.getActivationCodes(pool.id)).toEqual(EXAMPLE_VARIABLES.createInput.activationCodes);
    const renamed = await post('RenamePool');
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data).toMatchObject({ updateEmbeddedSIMActivationCodePool: { pool: { displayName: SAMPLE_POOLS[0].displayName } } });
    const deleted = await post('DeletePool');
    expect(deleted.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(stack.emulator.requestCount((r) => r.method === 'DELETE')).toBe(1);
    expect((await post('Pools')).data?.embeddedSIMActivationCodePools).toMatchObject({ totalCount: SAMPLE_POOLS.length + 1 });
  });

  it('the history tab works on a fresh start as its comments say: changes, their history, a restore previewed, then applied', async () => {
    type Reply = { data?: Record<string, unknown>; errors?: Array<{ extensions?: { code?: string } }> };
    const post = (operationName: string, variables: Record<string, unknown> = {}): Promise<Reply> =>
      request(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: EXAMPLE_DOCUMENT, operationName, variables: { ...EXAMPLE_VARIABLES, ...variables } }),
      }).then(async (res) => JSON.parse(await res.body.text()) as Reply);
    const assigns = (): number => stack.emulator.requestCount((r) => r.path.endsWith('/assign'));
    // The preloaded entry id names no entry: a clear error, and nothing sent to Graph.
    const placeholder = await post('RestorePool');
    expect(placeholder.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(assigns()).toBe(0);

    // Two changes (the assign, then the add applied), then the history: newest first.
    expect((await post('AssignPool')).errors).toBeUndefined();
    expect((await post('AddAssignments', { dryRun: false })).errors).toBeUndefined();
    const history = await post('PoolHistory');
    expect(history.errors).toBeUndefined();
    type Entry = { id: string; kind: string; operation: string | null; targets: unknown[]; added: Array<{ __typename: string }> };
    const pool = history.data?.embeddedSIMActivationCodePool as { assignmentHistory: { edges: Array<{ node: Entry }> } };
    const [add, assign] = pool.assignmentHistory.edges.map((edge) => edge.node);
    expect(add).toMatchObject({ kind: 'WRITE', operation: 'add', added: [{ __typename: 'AllDevicesAssignmentTarget' }] });
    expect(assign).toMatchObject({ kind: 'WRITE', operation: 'assign' });
    expect(assign.targets).toHaveLength(EXAMPLE_VARIABLES.assignments.length);

    // The assign's set back: previewed as preloaded (dryRun: true, nothing written), then applied with the version
    // the preview answered.
    const preview = await post('RestorePool', { entryId: assign.id });
    expect(preview.errors).toBeUndefined();
    const previewed = preview.data?.restoreEmbeddedSIMActivationCodePoolAssignments as { dryRun: boolean; assignmentsVersion: string; removed: Array<{ __typename: string }> };
    expect(previewed).toMatchObject({ dryRun: true, removed: [{ __typename: 'AllDevicesAssignmentTarget' }] });
    expect(assigns()).toBe(2);
    const applied = await post('RestorePool', { entryId: assign.id, dryRun: false, ifAssignmentsVersion: previewed.assignmentsVersion });
    expect(applied.errors).toBeUndefined();
    expect(assigns()).toBe(3);
    expect(stack.emulator.getAssignments(SAMPLE_POOLS[0].id)).toHaveLength(EXAMPLE_VARIABLES.assignments.length);
  });

  it('answers introspection', async () => {
    const reply = await stack.graphql(INTROSPECT);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { production: true, introspection: false } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves a plain page: no Sandbox, nothing loaded from a CDN', async () => {
    const page = await getPage(stack.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('GraphQL endpoint');
    expect(page.text).not.toMatch(/<script|EmbeddedSandbox|apollographql\.com/i);
    expect(page.text).not.toContain('AssignPool');
  });

  it('has no redirect at /', async () => {
    const res = await request(stack.url.replace(/\/graphql$/, '/'), { method: 'GET' });
    await res.body.text();
    expect(res.statusCode).toBe(404);
  });

  it('refuses introspection (INTROSPECTION unset) but still answers queries and _service', async () => {
    const reply = await stack.graphql(INTROSPECT);
    expect(reply.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(reply.body.errors?.[0]?.message).toMatch(/introspection/i);
    expect(reply.body.data).toBeUndefined();
    expect((await stack.graphql('{ __type(name: "Query") { name } }')).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const query = await stack.graphql(`{ embeddedSIMActivationCodePool(id: "${SAMPLE_POOLS[0].id}") { id } }`);
    expect(query.body.errors).toBeUndefined();
    expect((await stack.graphql('{ _service { sdl } }')).body.errors).toBeUndefined();
  });
});

describe('in production with INTROSPECTION=true', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: { production: true, introspection: true } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers introspection, and still serves the plain page', async () => {
    const reply = await stack.graphql(INTROSPECT);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await getPage(stack.url)).text).not.toContain('EmbeddedSandbox');
  });
});

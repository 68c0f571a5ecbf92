/**
 * The landing page in real Chromium with no way off the machine: every request to anything but loopback is blocked
 * and recorded. Apollo Sandbox's CDN script is then the one request that tries to leave (and is blocked); the page
 * falls back to the offline explorer served by the subgraph, which must run the preloaded assign mutation and show
 * the schema's types. Needs `npm run build` first (npm test does it): the explorer's assets are built files.
 */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { isRecord } from '../../src/graph/json';
import { EXAMPLE_DOCUMENT, EXAMPLE_VARIABLES } from '../../src/graphql/examples';
import { openExplorerAssets, SANDBOX_SCRIPT_ORIGIN, SANDBOX_SCRIPT_PATH } from '../../src/http/explorer';
import { CHROMIUM_HOW_TO_INSTALL, chromiumPath, launchBrowser, type Browser, type WatchedPage } from '../support/browser';
import { compact, openExplorer, runActiveTab, selectTab, setVariables, showDocs, tabNames, textOf, SELECTORS } from '../support/explorer-page';
import { exampleTabNames } from '../support/examples';
import { describeWithPart } from '../support/real-parts';
import { startStackWithHistory } from '../support/history-stack';
import type { Stack } from '../support/stack';

jest.setTimeout(90_000);

/** The one console error the fallback causes: Chromium reporting the blocked Sandbox script. */
const BLOCKED_SCRIPT = /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/;

const SANDBOX_SCRIPT = `${SANDBOX_SCRIPT_ORIGIN}${SANDBOX_SCRIPT_PATH}`;

describeWithPart(
  'Chromium',
  chromiumPath() !== undefined,
  CHROMIUM_HOW_TO_INSTALL,
)('the landing page in Chromium', () => {
  let stack: Stack;
  beforeAll(async () => {
    if (!openExplorerAssets()) throw new Error('the offline explorer is not built: run `npm run build` (npm test does) first');
    stack = await startStackWithHistory();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('offline: the Sandbox CDN refuses connections', () => {
    let browser: Browser;
    let watched: WatchedPage;

    beforeAll(async () => {
      browser = await launchBrowser({ width: 1600, height: 1000 });
      // One page for the tests below, in order: the first loads it (a few seconds for GraphiQL's editor).
      watched = await browser.newPage();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('tries Apollo Sandbox (blocked: the only request that tried to leave the machine), then opens the offline explorer with the examples as tabs', async () => {
      const { page } = watched;
      await openExplorer(page, stack.url);
      expect(browser.blocked).toEqual([SANDBOX_SCRIPT]);
      // One tab per example operation (or group of them), in the document's order, and nothing else; the assign
      // mutation opens first.
      const tabs = await tabNames(page);
      expect(tabs).toEqual(exampleTabNames());
      expect(tabs[0]).toBe('AssignPool');
      expect(await page.locator('.graphiql-logo').innerText()).toContain('esim-pools-subgraph');
      // The first tab's variables are preloaded: the sample pool and groups of the emulator.
      const variables = compact(await textOf(page, SELECTORS.variables));
      expect(variables).toContain(`"poolId":"${SAMPLE_POOLS[0].id}"`);
      expect(variables).toContain(`"groupId":"${SAMPLE_GROUP_IDS[0]}"`);
    });

    it('runs the preloaded assign mutation and shows its result', async () => {
      const { page } = watched;
      const result = compact(await runActiveTab(page));
      expect(result).toContain('"assignEmbeddedSIMActivationCodePool":{');
      expect(result).toContain('"assignments":[');
      // The mutation really ran: the emulator now holds the assignments the result pane shows.
      const assigned = (stack.emulator.getAssignments(SAMPLE_POOLS[0].id) ?? []) as Array<{ id: string }>;
      expect(assigned).toHaveLength(2);
      expect(result).toContain(`"id":"${assigned[0].id}"`);
      expect(result).toContain(`"groupId":"${SAMPLE_GROUP_IDS[0]}"`);
      expect(result).not.toContain('"errors"');
    });

    it('runs the pools query from its tab, with its own variables', async () => {
      const { page } = watched;
      await selectTab(page, 'Pools');
      expect(compact(await textOf(page, SELECTORS.variables))).toContain('"first":10');
      // The result pane is a Monaco editor, which renders only the lines in view: the whole result is read from the
      // answer the page received, and the pane is checked for its first lines.
      const answer = page.waitForResponse((response) => operationNameOf(response.request().postDataJSON()) === 'Pools');
      const result = compact(await runActiveTab(page));
      const body = (await (await answer).json()) as { data?: { embeddedSIMActivationCodePools?: { edges: Array<{ node: { displayName: string } }> } } };
      expect(body.data?.embeddedSIMActivationCodePools?.edges.map((edge) => edge.node.displayName)).toEqual(SAMPLE_POOLS.map((pool) => pool.displayName));
      expect(result).toContain(`"displayName":"${compact(SAMPLE_POOLS[0].displayName)}"`);
    });

    it("runs the history tab's two steps: the pool's history (the assign above, newest), then a restore of it as a dry run", async () => {
      const { page } = watched;
      await selectTab(page, 'PoolHistory');
      expect(await textOf(page, '.graphiql-query-editor')).toContain('# History and restore');
      const shown = compact(await textOf(page, SELECTORS.variables));
      expect(shown).toContain(`"poolId":"${SAMPLE_POOLS[0].id}"`);
      expect(shown).toContain(`"entryId":"${compact(EXAMPLE_VARIABLES.entryId)}"`);
      expect(shown).toContain('"dryRun":true');

      const answered = (operationName: string) => page.waitForResponse((response) => operationNameOf(response.request().postDataJSON()) === operationName);
      const history = answered('PoolHistory');
      await runActiveTab(page, 'PoolHistory');
      type Entry = { id: string; kind: string; operation: string | null; actor: { anonymous: boolean } | null };
      const body = (await (await history).json()) as { data?: { embeddedSIMActivationCodePool?: { assignmentHistory: { edges: Array<{ node: Entry }> } } } };
      const newest = body.data?.embeddedSIMActivationCodePool?.assignmentHistory.edges[0]?.node;
      expect(newest).toMatchObject({ kind: 'WRITE', operation: 'assign', actor: { anonymous: true } });

      // The entry's id pasted into entryId, as the tab's comments say; the restore is a dry run as preloaded.
      const { poolId, first, dryRun, ifAssignmentsVersion } = EXAMPLE_VARIABLES;
      await setVariables(page, JSON.stringify({ poolId, first, entryId: newest?.id, dryRun, ifAssignmentsVersion }));
      const assigns = stack.emulator.requestCount((r) => r.path.endsWith('/assign'));
      const restore = answered('RestorePool');
      const result = compact(await runActiveTab(page, 'RestorePool'));
      const restored = (await (await restore).json()) as { data?: { restoreEmbeddedSIMActivationCodePoolAssignments?: { dryRun: boolean; added: unknown[]; removed: unknown[] } }; errors?: unknown };
      expect(restored.errors).toBeUndefined();
      // The pool still has the assign's set: nothing to add or remove, and nothing sent to Graph.
      expect(restored.data?.restoreEmbeddedSIMActivationCodePoolAssignments).toMatchObject({ dryRun: true, added: [], removed: [] });
      expect(result).toContain('"restoreEmbeddedSIMActivationCodePoolAssignments":{');
      expect(stack.emulator.requestCount((r) => r.path.endsWith('/assign'))).toBe(assigns);
    });

    it("lists the schema's types in the docs explorer (from introspection of this endpoint)", async () => {
      const docs = await showDocs(watched.page);
      expect(docs).toMatch(/query:\s*Query/);
      expect(docs).toMatch(/mutation:\s*Mutation/);
      for (const type of [
        'EmbeddedSIMActivationCodePool',
        'EmbeddedSIMActivationCodePoolAssignmentInput',
        'AssignmentTargetKind',
        'GroupAssignmentTarget',
      ]) {
        expect(docs.split('\n')).toContain(type);
      }
    });

    it('marks an invalid query in the editor (validation against the introspected schema, in its web worker)', async () => {
      const { page } = watched;
      await page.click('.graphiql-tab-add');
      await page.click('.graphiql-query-editor');
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('{ noSuchField }');
      // Monaco underlines the error; its squiggle is a data: SVG, which the page's policy must allow.
      await page.locator('.graphiql-query-editor .squiggly-error').first().waitFor({ timeout: 15_000 });
    });

    it('broke no Content-Security-Policy rule and logged no error but the blocked Sandbox script; still nothing else left', () => {
      expect(watched.errors.filter((error) => !BLOCKED_SCRIPT.test(error))).toEqual([]);
      expect(watched.errors.filter((error) => BLOCKED_SCRIPT.test(error))).toHaveLength(1);
      expect(browser.blocked).toHaveLength(1);
    });
  });

  describe('a black-holed network: the Sandbox script never arrives', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser({ offMachine: () => ({ kind: 'stall' }) });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('gives up on Sandbox after its timeout and opens the offline explorer', async () => {
      const { page, errors } = await browser.newPage();
      const started = Date.now();
      await openExplorer(page, stack.url);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
      expect(browser.blocked).toEqual([SANDBOX_SCRIPT]);
      // One tab per example operation (or group of them), in the document's order, and nothing else; the assign
      // mutation opens first.
      const tabs = await tabNames(page);
      expect(tabs).toEqual(exampleTabNames());
      expect(tabs[0]).toBe('AssignPool');
      expect(errors).toEqual([]);
    });
  });

  describe('online: the Sandbox script loads (a stand-in for it: the real CDN is out of reach here)', () => {
    let browser: Browser;
    beforeAll(async () => {
      // Records the options the page gives Apollo's EmbeddedSandbox, and fills its target as Sandbox's iframe would.
      const standIn = `window.EmbeddedSandbox = function (options) {
      window.sandboxOptions = options;
      document.querySelector(options.target).textContent = 'stand-in Sandbox';
    };`;
      browser = await launchBrowser({
        offMachine: (url) => (url.href === SANDBOX_SCRIPT ? { kind: 'answer', contentType: 'text/javascript', body: standIn } : { kind: 'refuse' }),
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('opens Sandbox on this endpoint with the examples, and never loads the offline explorer', async () => {
      const { page, errors } = await browser.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(stack.url);
      await page.locator('#embeddableSandbox', { hasText: 'stand-in Sandbox' }).waitFor();
      const options = await page.evaluate(() => (globalThis as unknown as { sandboxOptions: Record<string, unknown> }).sandboxOptions);
      expect(options).toMatchObject({
        target: '#embeddableSandbox',
        initialEndpoint: stack.url,
        endpointIsEditable: false,
        initialState: { document: EXAMPLE_DOCUMENT, variables: EXAMPLE_VARIABLES, headers: {}, includeCookies: false },
      });
      expect(await page.locator('#explorer-status').isHidden()).toBe(true);
      expect(requested.filter((url) => /graphiql-/.test(url))).toEqual([]);
      expect(browser.blocked).toEqual([SANDBOX_SCRIPT]);
      expect(errors).toEqual([]);
    });
  });
});

function operationNameOf(body: unknown): unknown {
  return isRecord(body) ? body.operationName : undefined;
}

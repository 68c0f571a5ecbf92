/**
 * The landing page in real Chromium with no way off the machine: every request to anything but loopback is blocked
 * and recorded. Apollo Sandbox's CDN script is then the one request that tries to leave (and is blocked); the page
 * falls back to the offline explorer served by the subgraph, which must run the preloaded assign mutation and show
 * the schema's types. Needs `npm run build` first (npm test does it): the explorer's assets are built files.
 */
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '../../src/emulator';
import { ExplorerAssetStore } from '../../src/http/explorer/assets';
import { SANDBOX_SCRIPT_ORIGIN, SANDBOX_SCRIPT_PATH } from '../../src/http/explorer/page';
import { CHROMIUM_HOW_TO_INSTALL, chromiumPath, launchBrowser, type Browser, type WatchedPage } from '../support/browser';
import { compact, openExplorer, runActiveTab, selectTab, showDocs, tabNames, textOf, SELECTORS } from '../support/explorer-page';
import { describeWithPart } from '../support/real-parts';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(90_000);

/** The one console error the fallback causes: Chromium reporting the blocked Sandbox script. */
const BLOCKED_SCRIPT = /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/;

describeWithPart('Chromium', chromiumPath() !== undefined, CHROMIUM_HOW_TO_INSTALL)('the landing page offline, in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let watched: WatchedPage;

  beforeAll(async () => {
    if (!ExplorerAssetStore.open()) throw new Error('the offline explorer is not built: run `npm run build` (npm test does) first');
    stack = await startStack();
    browser = await launchBrowser({ width: 1600, height: 1000 });
    // One page for the tests below, in order: the first loads it (a few seconds for GraphiQL's editor).
    watched = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('tries Apollo Sandbox (blocked: the only request that tried to leave the machine), then opens the offline explorer with the examples as tabs', async () => {
    const { page } = watched;
    await openExplorer(page, stack.url);
    expect(browser.blocked).toEqual([`${SANDBOX_SCRIPT_ORIGIN}${SANDBOX_SCRIPT_PATH}`]);
    expect(await tabNames(page)).toEqual(['AssignPool', 'Pools']);
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

  it('runs the second example (the pools query) from its tab, with its own variables', async () => {
    const { page } = watched;
    await selectTab(page, 'Pools');
    expect(compact(await textOf(page, SELECTORS.variables))).toContain('"first":10');
    const result = compact(await runActiveTab(page));
    for (const pool of SAMPLE_POOLS) expect(result).toContain(`"displayName":"${compact(pool.displayName)}"`);
  });

  it("lists the schema's types in the docs explorer (from introspection of this endpoint)", async () => {
    const docs = await showDocs(watched.page);
    expect(docs).toMatch(/query:\s*Query/);
    expect(docs).toMatch(/mutation:\s*Mutation/);
    for (const type of ['EmbeddedSIMActivationCodePool', 'EmbeddedSIMActivationCodePoolAssignmentInput', 'AssignmentTargetKind', 'GroupAssignmentTarget']) {
      expect(docs.split('\n')).toContain(type);
    }
  });

  it('broke no Content-Security-Policy rule and logged no error but the blocked Sandbox script; still nothing else left', () => {
    expect(watched.errors.filter((error) => !BLOCKED_SCRIPT.test(error))).toEqual([]);
    expect(watched.errors.filter((error) => BLOCKED_SCRIPT.test(error))).toHaveLength(1);
    expect(browser.blocked).toHaveLength(1);
  });
});

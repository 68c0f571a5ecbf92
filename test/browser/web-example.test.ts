/**
 * examples/web, the typed frontend example, in real Chromium against the real subgraph and its Graph emulator:
 * the example is built (`npm run build` there: type check + Vite), served by `vite preview`, which proxies /graphql
 * to the subgraph as the dev server does, and used as a person would. Needs examples/web's dependencies (a workspace:
 * the root `npm install` installs them).
 */
import { existsSync } from 'node:fs';
import { LocalPoolLocks } from '../../src/coordination/local';
import { SAMPLE_DELETED_GROUP_ID, SAMPLE_GROUP_IDS, SAMPLE_POOLS, type RecordedRequest } from '@esim-pools/graph-emulator';
import { CHROMIUM_HOW_TO_INSTALL, chromiumPath, launchBrowser, type Browser, type WatchedPage } from '../support/browser';
import { requirePart } from '../support/real-parts';
import { startStackWithHistory, type HistoryStack } from '../support/history-stack';
import {
  addGroup,
  assignmentRows,
  buildWebExample,
  historyEntries,
  openPool,
  openWebExample,
  previewWebExample,
  recordOperations,
  showHistory,
  waitForGroupRow,
  WEB_EXAMPLE_VITE,
  type WebExampleServer,
} from '../support/web-example';

jest.setTimeout(120_000);

const runs =
  requirePart('Chromium', chromiumPath() !== undefined, CHROMIUM_HOW_TO_INSTALL) &&
  requirePart("examples/web's dependencies", WEB_EXAMPLE_VITE !== undefined && existsSync(WEB_EXAMPLE_VITE), 'npm install (at the root: examples/web is a workspace)');

const POOL = SAMPLE_POOLS[0];
/** Groups the sample tenant does not assign anywhere. */
const NEW_GROUP = '5b0c2d1e-7f3a-4c9b-8e2d-4a6f1b3c5d70';
const OTHER_GROUP = '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f61';
const THIRD_GROUP = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';

const isAssign = (r: RecordedRequest): boolean => r.method === 'POST' && r.path.endsWith('/assign');

/** A marker on the page's window: still there after an edit only if the page was not loaded again. */
interface MarkedWindow {
  webExampleMarker?: string;
}

(runs ? describe : describe.skip)('examples/web against the subgraph, in Chromium', () => {
  // The test holds a pool's edit lock itself to show POOL_BUSY; a short wait keeps that test quick.
  const locks = new LocalPoolLocks();
  let stack: HistoryStack;
  let server: WebExampleServer;
  let browser: Browser;
  let watched: WatchedPage;
  let operations: string[];

  beforeAll(async () => {
    buildWebExample();
    stack = await startStackWithHistory({ edits: { coordination: { locks }, lockWaitMs: 300 } });
    server = await previewWebExample(new URL(stack.url).origin);
    browser = await launchBrowser({ width: 1280, height: 800 });
    watched = await browser.newPage();
    operations = recordOperations(watched.page);
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
    await stack?.stop();
  });
  beforeEach(() => stack.emulator.reset());

  const assigns = (): RecordedRequest[] => stack.emulator.requests.filter(isAssign);
  const assignedGroups = (): string[] =>
    (stack.emulator.getAssignments(POOL.id) as Array<{ target: { groupId?: string } }>).map((a) => a.target.groupId ?? '(no group)');
  const status = (page = watched.page) => page.locator('.details .edit-outcome [role=status]');
  const alert = (page = watched.page) => page.locator('.details .edit-outcome [role=alert]');
  /** The pool's row in the list, whose third cell counts its assignments (from the same cache entry). */
  const listedCount = async (): Promise<string> => (await watched.page.locator('.pools tbody tr', { hasText: POOL.displayName }).locator('td').nth(2).innerText()).trim();
  const setMarker = (): Promise<void> => watched.page.evaluate(() => {
    (globalThis as unknown as MarkedWindow).webExampleMarker = 'still the same page';
  });
  /** Loads the page on the sample pool (as a link to it would), then forgets the reads that took. */
  const showPool = async (page = watched.page): Promise<void> => {
    await openWebExample(page, `${server.url}?pool=${POOL.id}`);
    await page.locator('.details .add-group').waitFor();
    stack.emulator.clearRequests();
  };
  const marker = (): Promise<string | undefined> => watched.page.evaluate(() => (globalThis as unknown as MarkedWindow).webExampleMarker);

  it("lists the emulator's sample pools", async () => {
    const { page } = watched;
    await openWebExample(page, server.url);
    for (const pool of SAMPLE_POOLS) await page.getByRole('button', { name: pool.displayName }).waitFor();
    const rows = await page.locator('.pools tbody tr').allInnerTexts();
    expect(rows).toHaveLength(SAMPLE_POOLS.length);
    // Name, codes, number of assignments: the first sample pool has 250 codes and two assignments.
    expect(rows[0]).toMatch(new RegExp(`^${SAMPLE_POOLS[0].displayName}\\s+250\\s+2\\s`));
  });

  it("shows a pool's assignments as a person reads them", async () => {
    const { page } = watched;
    await openPool(page, POOL.displayName);
    expect(await page.locator('#details-title').innerText()).toBe(POOL.displayName);
    const rows = await assignmentRows(page);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^Group\\s+${SAMPLE_GROUP_IDS[0]}`));
    expect(rows[1]).toMatch(new RegExp(`^Excluded group\\s+${SAMPLE_GROUP_IDS[1]}\\s+Include devices of filter`));
    expect(new URL(page.url()).searchParams.get('pool')).toBe(POOL.id);
  });

  it('previews, adds and removes a group, each shown without a reload or a refetch, one assign per edit', async () => {
    const { page } = watched;
    await showPool();
    await setMarker();

    // A dry run: says what would change, writes nothing, leaves the table as it is.
    operations.length = 0;
    await addGroup(page, NEW_GROUP, { preview: true });
    await status().filter({ hasText: `Preview: this would add group ${NEW_GROUP}. Nothing has been changed yet.` }).waitFor();
    expect(operations).toEqual(['AddPoolAssignments']);
    expect(assigns()).toHaveLength(0);
    expect(await assignmentRows(page)).toHaveLength(2);

    operations.length = 0;
    await addGroup(page, NEW_GROUP);
    await waitForGroupRow(page, NEW_GROUP);
    await status().filter({ hasText: `Added group ${NEW_GROUP}.` }).waitFor();
    const rows = await assignmentRows(page);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatch(new RegExp(`^Group\\s+${NEW_GROUP}\\s+—`));
    // The mutation's payload alone updated the pool, and the list's count, which reads the same cache entry.
    expect(operations).toEqual(['AddPoolAssignments']);
    expect(await listedCount()).toBe('3');
    expect(await marker()).toBe('still the same page');
    expect(assigns()).toHaveLength(1);
    expect(assignedGroups()).toEqual([...SAMPLE_GROUP_IDS, NEW_GROUP]);
    expect(await page.locator('.add-group').getByLabel('Group id').inputValue()).toBe('');

    operations.length = 0;
    await page.getByRole('button', { name: `Remove group ${NEW_GROUP}` }).click();
    await waitForGroupRow(page, NEW_GROUP, false);
    await status().filter({ hasText: `Removed group ${NEW_GROUP}.` }).waitFor();
    expect(await assignmentRows(page)).toHaveLength(2);
    expect(operations).toEqual(['RemovePoolAssignments']);
    expect(await listedCount()).toBe('2');
    expect(await marker()).toBe('still the same page');
    expect(assigns()).toHaveLength(2);
    expect(assignedGroups()).toEqual([...SAMPLE_GROUP_IDS]);
  });

  it("adds a group to several pools in one request, each pool's outcome shown, the open pool updated through the cache", async () => {
    const { page } = watched;
    await showPool();
    await setMarker();
    const form = page.locator('.bulk-add');
    for (const pool of SAMPLE_POOLS) await form.getByLabel(pool.displayName).check();
    await form.getByLabel('Group id').fill(NEW_GROUP);
    operations.length = 0;
    await form.getByRole('button', { name: `Add to ${SAMPLE_POOLS.length} pools` }).click();
    const outcome = form.locator('.bulk-outcome');
    await outcome.filter({ hasText: '3 changed, 0 unchanged, 0 failed.' }).waitFor();
    expect(await outcome.locator('li').allInnerTexts()).toEqual(SAMPLE_POOLS.map((pool) => `${pool.displayName}: added`));
    // The open pool shows the group without a refetch: the payload's pools went into the cache (a union's members,
    // known to the cache through possibleTypes).
    await waitForGroupRow(page, NEW_GROUP);
    expect(operations).toEqual(['BulkAddGroup']);
    expect(await listedCount()).toBe('3');
    expect(await marker()).toBe('still the same page');
    expect(assigns()).toHaveLength(SAMPLE_POOLS.length);
    for (const pool of SAMPLE_POOLS) {
      expect((stack.emulator.getAssignments(pool.id) as Array<{ target: { groupId?: string } }>).map((a) => a.target.groupId)).toContain(NEW_GROUP);
    }

    // Again: nothing to add anywhere, nothing written.
    await form.getByRole('button', { name: `Add to ${SAMPLE_POOLS.length} pools` }).click();
    await outcome.filter({ hasText: '0 changed, 3 unchanged, 0 failed.' }).waitFor();
    expect(await outcome.locator('li').allInnerTexts()).toEqual(SAMPLE_POOLS.map((pool) => `${pool.displayName}: already there`));
    expect(assigns()).toHaveLength(SAMPLE_POOLS.length);
  });

  it("shows a target's state: the third sample pool's assignment to a deleted group reads \"Group deleted\"", async () => {
    const { page } = watched;
    await openWebExample(page, `${server.url}?pool=${SAMPLE_POOLS[2].id}`);
    await waitForGroupRow(page, SAMPLE_DELETED_GROUP_ID);
    const rows = await assignmentRows(page);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^All devices\s+—\s+OK/);
    expect(rows[1]).toMatch(new RegExp(`^Group\\s+${SAMPLE_DELETED_GROUP_ID}\\s+—\\s+Group deleted`));
  });

  it('says what is wrong with a group id that is not a GUID (BAD_USER_INPUT, the field named), and sends nothing', async () => {
    const { page } = watched;
    await showPool();
    await addGroup(page, 'not-a-guid');
    await alert().waitFor();
    const text = await alert().innerText();
    expect(text).toMatch(/^That group id is not valid: it must be a GUID/);
    expect(text).toContain('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it("two people editing one pool: the second gets CONFLICT instead of undoing the first's change", async () => {
    const other = await browser.newPage();
    try {
      // Both read the pool as it is now.
      await showPool();
      await showPool(other.page);

      // The other person adds a group…
      await addGroup(other.page, OTHER_GROUP, { exclude: true });
      await status(other.page).filter({ hasText: `Added the exclusion of group ${OTHER_GROUP}.` }).waitFor();
      expect(assigns()).toHaveLength(1);

      // …then this one, still looking at the old set, removes one: refused, nothing written. (In front again: Chromium
      // slows the animation frames of a page behind another, which Playwright's clicks wait for.)
      await watched.page.bringToFront();
      await watched.page.getByRole('button', { name: `Remove the exclusion of group ${SAMPLE_GROUP_IDS[1]}` }).click();
      await alert().waitFor();
      const text = await alert().innerText();
      expect(text).toMatch(/^Someone else changed this pool's assignments; reload to see the current set\./);
      expect(text).toContain('CONFLICT');
      expect(assigns()).toHaveLength(1);
      expect(assignedGroups()).toEqual([...SAMPLE_GROUP_IDS, OTHER_GROUP]);

      // Reloading the pool (not the page) shows the other person's group; the remove then goes through.
      await watched.page.getByRole('button', { name: 'Reload the pool' }).click();
      await waitForGroupRow(watched.page, OTHER_GROUP);
      await watched.page.getByRole('button', { name: `Remove the exclusion of group ${SAMPLE_GROUP_IDS[1]}` }).click();
      await waitForGroupRow(watched.page, SAMPLE_GROUP_IDS[1], false);
      expect(assigns()).toHaveLength(2);
      expect(assignedGroups()).toEqual([SAMPLE_GROUP_IDS[0], OTHER_GROUP]);
      expect(other.errors).toEqual([]);
    } finally {
      await other.page.close();
    }
  });

  it("shows a change in the pool's history, and restores an earlier set: previewed first (nothing written), then applied, shown through the cache", async () => {
    const { page } = watched;
    await showPool();
    await setMarker();
    // Two changes: a group added, then another one excluded.
    await addGroup(page, NEW_GROUP);
    await status().filter({ hasText: `Added group ${NEW_GROUP}.` }).waitFor();
    await addGroup(page, OTHER_GROUP, { exclude: true });
    await status().filter({ hasText: `Added the exclusion of group ${OTHER_GROUP}.` }).waitFor();
    expect(assigns()).toHaveLength(2);

    // The history, newest first: each change with its kind, actor, time and the target it added.
    await showHistory(page);
    const [latest, previous] = await historyEntries(page);
    expect(latest).toMatch(new RegExp(`^Change \\(add\\)\\s+\\S.*by an anonymous caller \\(sign-in is off\\)\\s+Added\\s+the exclusion of group ${OTHER_GROUP}\\s`));
    expect(previous).toMatch(new RegExp(`^Change \\(add\\).*\\s+Added\\s+group ${NEW_GROUP}\\s`));
    expect(await page.locator('.history .history-entries li time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Back to the set after the first change: the preview says what would change and writes nothing.
    const outcome = page.locator('.history .restore-outcome');
    operations.length = 0;
    await page.locator('.history .history-entries li').nth(1).getByRole('button', { name: 'Restore this set…' }).click();
    await outcome.getByRole('status').filter({ hasText: `would remove the exclusion of group ${OTHER_GROUP}. Nothing has been changed yet.` }).waitFor();
    expect(await outcome.getByRole('status').innerText()).toMatch(/^Preview: restoring the set of /);
    expect(operations).toEqual(['RestorePoolAssignments']);
    expect(assigns()).toHaveLength(2);
    expect(await assignmentRows(page)).toHaveLength(4);

    // The restore itself: one assign; the table and the list's count follow from its payload, the history shows it.
    operations.length = 0;
    await outcome.getByRole('button', { name: 'Restore', exact: true }).click();
    await outcome.getByRole('status').filter({ hasText: `: removed the exclusion of group ${OTHER_GROUP}.` }).waitFor();
    await waitForGroupRow(page, OTHER_GROUP, false);
    expect(await assignmentRows(page)).toHaveLength(3);
    expect(await listedCount()).toBe('3');
    expect(assigns()).toHaveLength(3);
    expect(assignedGroups()).toEqual([...SAMPLE_GROUP_IDS, NEW_GROUP]);
    await page.locator('.history .history-entries li').first().filter({ hasText: /^Restore\s/ }).waitFor();
    const [restoreEntry, , earlier] = await historyEntries(page);
    const earlierTime = /^Change \(add\) (.+?) by /.exec(earlier ?? '')?.[1];
    expect(earlierTime).toBeDefined();
    expect(restoreEntry).toMatch(new RegExp(`^Restore \\(the set of ${earlierTime}\\)\\s.*\\s+Removed\\s+the exclusion of group ${OTHER_GROUP}\\s`, 's'));
    // The pool came from the restore's payload; only the history was read again (its new entry is on the server only).
    expect(operations).toEqual(['RestorePoolAssignments', 'PoolHistory']);
    expect(await marker()).toBe('still the same page');
  });

  it('a change by someone else between the preview and the restore: CONFLICT, nothing written; reloaded, previewed again, restored', async () => {
    const { page } = watched;
    await showPool();
    // A group added and removed again on this page: the entry of the add records the set to go back to.
    await addGroup(page, THIRD_GROUP);
    await waitForGroupRow(page, THIRD_GROUP);
    await page.getByRole('button', { name: `Remove group ${THIRD_GROUP}` }).click();
    await waitForGroupRow(page, THIRD_GROUP, false);
    await showHistory(page);
    const entryOfAdd = page.locator('.history .history-entries li').filter({ hasText: 'Change (add)' }).filter({ hasText: `group ${THIRD_GROUP}` }).first();
    const outcome = page.locator('.history .restore-outcome');
    await entryOfAdd.getByRole('button', { name: 'Restore this set…' }).click();
    await outcome.getByRole('status').filter({ hasText: `would add group ${THIRD_GROUP}. Nothing has been changed yet.` }).waitFor();

    // Someone else adds a group through the subgraph; this page still shows the set the preview was made on.
    const other = await stack.graphql(
      'mutation ($poolId: ID!, $assignments: [EmbeddedSIMActivationCodePoolAssignmentInput!]!) { addEmbeddedSIMActivationCodePoolAssignments(poolId: $poolId, assignments: $assignments) { dryRun } }',
      { poolId: POOL.id, assignments: [{ target: { kind: 'GROUP', groupId: OTHER_GROUP } }] },
    );
    expect(other.body.errors).toBeUndefined();
    expect(assigns()).toHaveLength(3);
    await outcome.getByRole('button', { name: 'Restore', exact: true }).click();
    await outcome.getByRole('alert').waitFor();
    expect(await outcome.getByRole('alert').innerText()).toMatch(/^Someone else changed this pool's assignments; reload to see the current set\.[\s\S]*CONFLICT/);
    expect(assigns()).toHaveLength(3);

    // Reloaded: the other group shows, and the preview, made again, now also says it would go.
    await outcome.getByRole('button', { name: 'Reload the pool' }).click();
    await waitForGroupRow(page, OTHER_GROUP);
    // The history follows: the other person's change, and the refused restore (FAILED, CONFLICT), newest.
    await page.locator('.history .history-entries li').filter({ hasText: `group ${OTHER_GROUP}` }).first().waitFor();
    const [refused] = await historyEntries(page);
    expect(refused).toMatch(/^Restore .* — failed \(CONFLICT\): nothing was written$/);
    await entryOfAdd.getByRole('button', { name: 'Restore this set…' }).click();
    await outcome
      .getByRole('status')
      .filter({ hasText: `would add group ${THIRD_GROUP}, remove group ${OTHER_GROUP}. Nothing has been changed yet.` })
      .waitFor();
    await outcome.getByRole('button', { name: 'Restore', exact: true }).click();
    await outcome.getByRole('status').filter({ hasText: `: added group ${THIRD_GROUP}, removed group ${OTHER_GROUP}.` }).waitFor();
    await waitForGroupRow(page, OTHER_GROUP, false);
    expect(assigns()).toHaveLength(4);
    expect(assignedGroups()).toEqual([...SAMPLE_GROUP_IDS, THIRD_GROUP]);
  });

  it('says when another change holds the pool (POOL_BUSY) and when to try again, and sends nothing', async () => {
    const { page } = watched;
    await showPool();
    const held = await locks.acquire(POOL.id, { deadline: Date.now() + 60_000 });
    try {
      await addGroup(page, NEW_GROUP);
      await alert().waitFor();
    } finally {
      await held.release();
    }
    const text = await alert().innerText();
    expect(text).toMatch(/^Another change to this pool is in progress, so yours was not made\. Try again in 1 second\./);
    expect(text).toContain('POOL_BUSY');
    expect(stack.emulator.requests).toHaveLength(0);
    expect(await assignmentRows(page)).toHaveLength(2);
  });

  it('says when Microsoft Graph throttles the edit (THROTTLED) and when to try again', async () => {
    const { page } = watched;
    await showPool();
    // The edit's read of the current set (GET …/assignments, which `match` also catches) passes; its assign gets a
    // Retry-After longer than the subgraph's deadline: THROTTLED at once, with that wait.
    stack.emulator.setFaults({ match: '/assign', script: ['ok'], throttle: { retryAfterSeconds: 120 } });
    await addGroup(page, NEW_GROUP);
    await alert().filter({ hasText: 'THROTTLED' }).waitFor();
    expect(await alert().innerText()).toMatch(/^Microsoft Graph is busy and asked us to slow down\. Try again in 2 minutes\./);
    expect(assigns()).toHaveLength(1);
    expect(assignedGroups()).toEqual([...SAMPLE_GROUP_IDS]);
    expect(await assignmentRows(page)).toHaveLength(2);
  });

  it('says when the edit is not allowed (FORBIDDEN)', async () => {
    const { page } = watched;
    await showPool();
    // The read passes (as above); Graph refuses the assign.
    stack.emulator.setFaults({ match: '/assign', script: ['ok', 403] });
    await addGroup(page, NEW_GROUP);
    await alert().filter({ hasText: 'FORBIDDEN' }).waitFor();
    expect(await alert().innerText()).toMatch(/^You do not have permission to change this pool's assignments in Intune/);
    expect(assigns()).toHaveLength(1);
    expect(assignedGroups()).toEqual([...SAMPLE_GROUP_IDS]);
    expect(await assignmentRows(page)).toHaveLength(2);
  });

  it('says what is wrong with a pool id that is not a GUID (BAD_USER_INPUT)', async () => {
    const { page } = watched;
    await page.getByLabel('Pool id').fill('not-a-guid');
    await page.getByRole('button', { name: 'Open' }).click();
    const poolAlert = page.locator('.details [role=alert]');
    await poolAlert.waitFor();
    const text = await poolAlert.innerText();
    expect(text).toMatch(/^That pool id is not valid: .*GUID/);
    expect(text).toContain('BAD_USER_INPUT');
  });

  it('says when no pool has a well-formed id', async () => {
    const { page } = watched;
    await page.goto(`${server.url}?pool=00000000-0000-4000-8000-000000000000`);
    await expect(page.locator('.details [role=alert]').innerText()).resolves.toContain('No pool has the id 00000000-0000-4000-8000-000000000000');
  });

  // Last but one: the history's store stays down after it.
  it('says when the history cannot be reached (HISTORY_UNAVAILABLE), and the restore writes nothing', async () => {
    const { page } = watched;
    await showPool();
    await showHistory(page);
    await stack.history.store.close();
    // The newest entry that can be restored (the failed edits above cannot).
    await page.locator('.history .history-entries li').getByRole('button', { name: 'Restore this set…' }).first().click();
    const failed = page.locator('.history .restore-outcome [role=alert]');
    await failed.waitFor();
    const text = await failed.innerText();
    expect(text).toMatch(/^The subgraph's history of changes is turned off or cannot be reached right now, so nothing was changed\./);
    expect(text).toContain('HISTORY_UNAVAILABLE');
    expect(assigns()).toHaveLength(0);
    expect(await assignmentRows(page)).toHaveLength(2);
  });

  it('made no request off the machine and logged no error', () => {
    expect(browser.blocked).toEqual([]);
    expect(watched.errors).toEqual([]);
  });
});

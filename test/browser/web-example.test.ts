/**
 * examples/web, the typed frontend example, in real Chromium against the real subgraph and its Graph emulator:
 * the example is built (`npm run build` there: type check + Vite), served by `vite preview`, which proxies /graphql
 * to the subgraph as the dev server does, and used as a person would. Needs examples/web's own dependencies
 * (`npm ci --prefix examples/web`; .ci/run installs them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_GROUP_IDS, SAMPLE_POOLS } from '../../src/emulator';
import { CHROMIUM_HOW_TO_INSTALL, chromiumPath, launchBrowser, type Browser, type WatchedPage } from '../support/browser';
import { requirePart } from '../support/real-parts';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'web');
const VITE = join(EXAMPLE, 'node_modules', 'vite', 'bin', 'vite.js');

const runs =
  requirePart('Chromium', chromiumPath() !== undefined, CHROMIUM_HOW_TO_INSTALL) &&
  requirePart("examples/web's dependencies", existsSync(VITE), 'npm ci --prefix examples/web');

/** `vite preview` of the built example, proxying /graphql to `subgraph`; resolves with its URL. */
function preview(subgraph: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [VITE, 'preview', '--host', '127.0.0.1', '--port', '0'], {
    cwd: EXAMPLE,
    env: { ...process.env, SUBGRAPH_URL: subgraph, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`vite preview did not start:\n${output}`));
    }, 20_000);
    const onData = (data: Buffer): void => {
      output += data.toString();
      const match = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vite preview exited with ${code}:\n${output}`));
    });
  });
}

(runs ? describe : describe.skip)('examples/web against the subgraph, in Chromium', () => {
  let stack: Stack;
  let server: { url: string; child: ChildProcess };
  let browser: Browser;
  let watched: WatchedPage;

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: EXAMPLE, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`examples/web did not build:\n${build.stdout}\n${build.stderr}`);
    stack = await startStack();
    server = await preview(new URL(stack.url).origin);
    browser = await launchBrowser({ width: 1280, height: 800 });
    watched = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await stack?.stop();
  });
  beforeEach(() => stack.emulator.reset());

  it("lists the emulator's sample pools", async () => {
    const { page } = watched;
    await page.goto(server.url);
    for (const pool of SAMPLE_POOLS) await page.getByRole('button', { name: pool.displayName }).waitFor();
    const rows = await page.locator('.pools tbody tr').allInnerTexts();
    expect(rows).toHaveLength(SAMPLE_POOLS.length);
    // Name, codes, number of assignments: the first sample pool has 250 codes and two assignments.
    expect(rows[0]).toMatch(new RegExp(`^${SAMPLE_POOLS[0].displayName}\\s+250\\s+2\\s`));
  });

  it("shows a pool's assignments as a person reads them", async () => {
    const { page } = watched;
    await page.getByRole('button', { name: SAMPLE_POOLS[0].displayName }).click();
    await page.locator('.details .assignments').waitFor();
    expect(await page.locator('#details-title').innerText()).toBe(SAMPLE_POOLS[0].displayName);
    const rows = await page.locator('.details .assignments tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^Group\\s+${SAMPLE_GROUP_IDS[0]}`));
    expect(rows[1]).toMatch(new RegExp(`^Excluded group\\s+${SAMPLE_GROUP_IDS[1]}\\s+Include devices of filter`));
    expect(new URL(page.url()).searchParams.get('pool')).toBe(SAMPLE_POOLS[0].id);
  });

  it('says what is wrong with a pool id that is not a GUID (BAD_USER_INPUT)', async () => {
    const { page } = watched;
    await page.getByLabel('Pool id').fill('not-a-guid');
    await page.getByRole('button', { name: 'Open' }).click();
    const alert = page.locator('.details [role=alert]');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toMatch(/^That pool id is not valid: .*GUID/);
    expect(text).toContain('BAD_USER_INPUT');
  });

  it('says when no pool has a well-formed id', async () => {
    const { page } = watched;
    await page.goto(`${server.url}?pool=00000000-0000-4000-8000-000000000000`);
    await expect(page.locator('.details [role=alert]').innerText()).resolves.toContain('No pool has the id 00000000-0000-4000-8000-000000000000');
  });

  it('made no request off the machine and logged no error', () => {
    expect(browser.blocked).toEqual([]);
    expect(watched.errors).toEqual([]);
  });
});

/**
 * examples/web, the typed frontend example, built and served as a person runs it, and driven in a page: shared by
 * test/browser/web-example.test.ts and `npm run screenshots`, so the screenshot shows exactly what the test checks.
 * Needs examples/web's dependencies: it is a workspace, so the root `npm install` installs them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';

/**
 * examples/web, found above this file: it runs from test/support under jest and from dist-tools/test/support under
 * `npm run screenshots`, so a fixed number of `..` would be right for one of them only.
 */
function findExample(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'examples', 'web');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`examples/web not found above ${__dirname}`);
  }
}

export const WEB_EXAMPLE = findExample();
/** Vite's command line as examples/web resolves it (npm hoists workspace dependencies); undefined when not installed. */
export const WEB_EXAMPLE_VITE = viteOf(WEB_EXAMPLE);

function viteOf(example: string): string | undefined {
  try {
    return join(dirname(require.resolve('vite/package.json', { paths: [example] })), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

/** `npm run build` in examples/web: its type check, then Vite's production build into dist/. */
export function buildWebExample(): void {
  const build = spawnSync('npm', ['run', 'build'], { cwd: WEB_EXAMPLE, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`examples/web did not build:\n${build.stdout}\n${build.stderr}`);
}

export interface WebExampleServer {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/** `vite preview` of the built example, proxying /graphql to `subgraphOrigin` as the dev server does. */
export function previewWebExample(subgraphOrigin: string): Promise<WebExampleServer> {
  if (WEB_EXAMPLE_VITE === undefined) throw new Error("examples/web's dependencies are not installed: run `npm install` at the root");
  const child = spawn(process.execPath, [WEB_EXAMPLE_VITE, 'preview', '--host', '127.0.0.1', '--port', '0'], {
    cwd: WEB_EXAMPLE,
    env: { ...process.env, SUBGRAPH_URL: subgraphOrigin, NO_COLOR: '1' },
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
        resolve({ url: match[1], child, stop: () => child.kill() });
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

/** Opens the page at `url` and waits for the pool list. */
export async function openWebExample(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.pools tbody tr').first().waitFor();
}

/** Clicks a pool in the list and waits until its assignments (and the form under them) are shown. */
export async function openPool(page: Page, displayName: string): Promise<void> {
  await page.getByRole('button', { name: displayName, exact: true }).click();
  await page.locator('.details .add-group').waitFor();
}

export interface GroupEdit {
  /** Exclude the group's devices instead of including them. */
  exclude?: boolean;
  /** Press Preview (a dry run) instead of Add group. */
  preview?: boolean;
}

/** Types a group id into the shown pool's "Add a group" form and presses Add group (or Preview). */
export async function addGroup(page: Page, groupId: string, edit: GroupEdit = {}): Promise<void> {
  const form = page.locator('.details .add-group');
  await form.getByLabel('Group id').fill(groupId);
  await form.getByLabel(edit.exclude ? 'Exclude' : 'Include').check();
  await form.getByRole('button', { name: edit.preview ? 'Preview' : 'Add group', exact: true }).click();
}

/** The rows of the shown pool's assignments table, as a person reads them. */
export function assignmentRows(page: Page): Promise<string[]> {
  return page.locator('.details .assignments tbody tr').allInnerTexts();
}

/** Waits until the shown pool has a row for `groupId` (or, with `present: false`, has none). */
export async function waitForGroupRow(page: Page, groupId: string, present = true): Promise<void> {
  await page.locator('.details .assignments tbody tr', { hasText: groupId }).first().waitFor({ state: present ? 'visible' : 'detached' });
}

/** Opens the shown pool's history and resolves with its entries (newest first), once there are some. */
export async function showHistory(page: Page): Promise<void> {
  await page.locator('.history').getByRole('button', { name: 'Show history' }).click();
  await page.locator('.history .history-entries li').first().waitFor();
}

/** The shown history's entries, newest first, as a person reads them. */
export function historyEntries(page: Page): Promise<string[]> {
  return page.locator('.history .history-entries li').allInnerTexts();
}

/**
 * The operation name of every GraphQL request the page sends from now on, in order: what proves that an edit
 * updated the page through the cache, with no refetch.
 */
export function recordOperations(page: Page): string[] {
  const names: string[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/graphql') return;
    const body = request.postDataJSON() as { operationName?: unknown } | null;
    names.push(typeof body?.operationName === 'string' ? body.operationName : '(anonymous)');
  });
  return names;
}

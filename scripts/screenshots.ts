/** `npm run screenshots`: the pages as after `npm start` (dist/index.js with its embedded emulator), in the browser
 * tests' launcher (test/support/browser.ts) with every request off the machine blocked. */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SAMPLE_POOLS } from '@esim-pools/graph-emulator';
import { CHROMIUM_HOW_TO_INSTALL, chromiumPath, launchBrowser, type Browser } from '../test/support/browser';
import { openExplorer, runActiveTab, type PageGlobals } from '../test/support/explorer-page';
import { spawnService, type ServiceProcess } from '../test/support/process';
import { addGroup, buildWebExample, openPool, openWebExample, previewWebExample, waitForGroupRow } from '../test/support/web-example';

/** The project root: this file runs as dist-tools/scripts/screenshots.js. */
const ROOT = join(__dirname, '..', '..');

/** A group the sample tenant does not assign anywhere: the one the picture shows being added. */
const NEW_GROUP = '5b0c2d1e-7f3a-4c9b-8e2d-4a6f1b3c5d70';

/** No hover tooltip or focus ring over the picture. */
async function settle(page: Page): Promise<void> {
  await page.mouse.move(1, 450);
  await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.blur?.());
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ROOT, 'docs', name) });
  process.stdout.write(`screenshots: wrote docs/${name}\n`);
}

async function explorer(browser: Browser, service: ServiceProcess): Promise<void> {
  const { page } = await browser.newPage();
  await openExplorer(page, service.url);
  await runActiveTab(page);
  await settle(page);
  // Monaco fades its scrollbars out a moment after the last activity.
  await page.waitForTimeout(2000);
  await shoot(page, 'explorer.png');
  await page.close();
}

async function webExample(browser: Browser, service: ServiceProcess): Promise<void> {
  buildWebExample();
  const server = await previewWebExample(new URL(service.url).origin);
  try {
    const { page } = await browser.newPage();
    await openWebExample(page, server.url);
    await openPool(page, SAMPLE_POOLS[0].displayName);
    await addGroup(page, NEW_GROUP);
    await waitForGroupRow(page, NEW_GROUP);
    await settle(page);
    await shoot(page, 'web-example.png');
    await page.close();
  } finally {
    server.stop();
  }
}

async function main(): Promise<void> {
  if (!chromiumPath()) throw new Error(`Chromium is not installed (${CHROMIUM_HOW_TO_INSTALL})`);
  const browser = await launchBrowser({ width: 1440, height: 900 });
  try {
    // Each picture from a subgraph of its own, as after a fresh `npm start`.
    for (const shot of [explorer, webExample]) {
      const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator' }, { entry: join(ROOT, 'dist', 'index.js') });
      try {
        await shot(browser, service);
      } finally {
        await service.stop();
      }
    }
    process.stdout.write(`screenshots: blocked requests off the machine: ${browser.blocked.join(', ') || 'none'}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

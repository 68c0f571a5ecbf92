/**
 * `npm run screenshots`: docs/explorer.png, the offline explorer after it ran the preloaded assign mutation, as a
 * person opening http://localhost:4000/graphql after `npm start` without Apollo's CDN sees it: the built subgraph
 * (dist/index.js with its embedded Graph emulator) in a process of its own, and the browser test's launcher and page
 * steps (test/support/browser.ts, test/support/explorer-page.ts) with every request off the machine blocked, so the
 * picture shows what test/browser/explorer.test.ts checks.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_HOW_TO_INSTALL, chromiumPath, launchBrowser } from '../test/support/browser';
import { openExplorer, runActiveTab, type PageGlobals } from '../test/support/explorer-page';
import { spawnService } from '../test/support/process';

/** The project root: this file runs as dist-tools/scripts/screenshots.js. */
const ROOT = join(__dirname, '..', '..');

async function main(): Promise<void> {
  if (!chromiumPath()) throw new Error(`Chromium is not installed (${CHROMIUM_HOW_TO_INSTALL})`);
  const service = await spawnService({ GRAPH_AUTH_MODE: 'emulator' }, { entry: join(ROOT, 'dist', 'index.js') });
  const browser = await launchBrowser({ width: 1440, height: 900 });
  try {
    const { page } = await browser.newPage();
    await openExplorer(page, service.url);
    await runActiveTab(page);
    // No hover tooltip or focus ring over the picture.
    await page.mouse.move(1, 450);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.blur?.());
    // Monaco fades its scrollbars out a moment after the last activity.
    await page.waitForTimeout(2000);
    const path = join(ROOT, 'docs', 'explorer.png');
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path });
    process.stdout.write(`screenshots: wrote docs/explorer.png; blocked requests off the machine: ${browser.blocked.join(', ') || 'none'}\n`);
  } finally {
    await browser.close();
    await service.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

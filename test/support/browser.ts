/**
 * Real Chromium (Debian's `chromium` package) driven by playwright-core, for the browser tests and
 * `npm run screenshots`. The machine has no network: every request to anything but loopback is blocked, and
 * recorded, so a test can assert that nothing tried to leave the machine except what it expects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findExecutable } from './real-parts';

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium, else `chromium` on PATH. */
export function chromiumPath(): string | undefined {
  return findExecutable(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') ?? findExecutable('chromium');
}

export const CHROMIUM_HOW_TO_INSTALL = 'apt-get install -y chromium';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export interface Browser {
  context: BrowserContext;
  /** Every request the pages made to a non-loopback host (all of them were blocked), as full URLs. */
  readonly blocked: readonly string[];
  newPage(): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  readonly errors: readonly string[];
}

/**
 * What happens to a request off the machine (it is recorded in `blocked` whatever happens): refused as by a
 * disconnected network (the default), never answered (a black-holed network), or answered here with a stand-in.
 */
export type OffMachine = { kind: 'refuse' } | { kind: 'stall' } | { kind: 'answer'; contentType: string; body: string };

export interface LaunchOptions {
  width?: number;
  height?: number;
  offMachine?: (url: URL) => OffMachine;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(`Chromium not found (${CHROMIUM_HOW_TO_INSTALL})`);
  // A fresh profile every time: nothing saved by an earlier run (GraphiQL's tabs in localStorage) changes a test.
  const profile = mkdtempSync(join(tmpdir(), 'esim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    // As root, and without Chromium's own background traffic (updates, sync, safe browsing), which this closed
    // network would refuse anyway; Playwright adds --headless and the user data dir itself.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    serviceWorkers: 'block',
  });
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (LOOPBACK.test(url.hostname)) return route.continue();
    blocked.push(url.href);
    const what = options.offMachine?.(url) ?? { kind: 'refuse' };
    // A stalled request is left unanswered until the context closes.
    if (what.kind === 'stall') return;
    if (what.kind === 'answer') return route.fulfill({ status: 200, contentType: what.contentType, body: what.body });
    return route.abort('internetdisconnected');
  });
  return {
    context,
    blocked,
    async newPage() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Driving the offline explorer (GraphiQL 5) in a page: shared by test/browser/explorer.test.ts and
 * `npm run screenshots`, so the screenshot shows exactly what the test checks.
 */
import type { Page } from 'playwright-core';

/**
 * The little of the DOM the page functions below use. They run in the browser (Playwright serialises them), but are
 * type-checked here, in a project compiled without the DOM library: each reaches `document` through globalThis.
 */
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}
export interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; activeElement: { blur?(): void } | null };
}

export const SELECTORS = {
  graphiql: '.graphiql-container',
  tab: '.graphiql-tab',
  activeTab: '.graphiql-tab-active',
  run: '.graphiql-execute-button',
  variables: '.graphiql-editor-tool',
  result: '.result-window',
  docsButton: '[aria-label="Show Documentation Explorer"]',
  docs: '.graphiql-doc-explorer',
} as const;

/** What a person reads: Monaco renders spaces as U+00A0 and wraps long lines; this undoes neither, callers compact. */
export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.innerText(selector)).replace(/\u00a0/g, ' ');
}

/** Text without any whitespace, to find values that Monaco may have wrapped across lines. */
export function compact(text: string): string {
  return text.replace(/\s+/g, '');
}

/** Opens the landing page and waits until GraphiQL is up and has the schema (the docs button works then). */
export async function openExplorer(page: Page, url: string, timeoutMs = 30_000): Promise<void> {
  // Not 'load': a Sandbox script that never arrives holds the load event back, while the page moves on without it.
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector(SELECTORS.graphiql, { timeout: timeoutMs });
  // The editors are Monaco instances, created after GraphiQL's shell: wait for the first tab's text.
  await page.waitForFunction(
    (selector) => ((globalThis as unknown as PageGlobals).document.querySelector(selector)?.textContent ?? '').includes('mutation'),
    '.graphiql-query-editor',
    { timeout: timeoutMs },
  );
}

export async function tabNames(page: Page): Promise<string[]> {
  return (await page.locator(SELECTORS.tab).allInnerTexts()).map((name) => name.trim());
}

export async function selectTab(page: Page, name: string): Promise<void> {
  await page.locator(SELECTORS.tab, { hasText: name }).first().click();
  await page.locator(SELECTORS.activeTab, { hasText: name }).waitFor();
}

/**
 * Runs the active tab's operation (or, in a tab of several, the one named: GraphiQL's run button then offers a menu
 * of them) and resolves with the result pane's text once a result is there.
 */
export async function runActiveTab(page: Page, operation?: string, timeoutMs = 20_000): Promise<string> {
  // Remember what the pane showed, so that an earlier result is not taken for this one.
  await page.evaluate((selector) => {
    const element = (globalThis as unknown as PageGlobals).document.querySelector(selector);
    element?.setAttribute('data-before-run', element.textContent ?? '');
  }, SELECTORS.result);
  await page.click(SELECTORS.run);
  if (operation !== undefined) await page.getByRole('menuitem', { name: operation, exact: true }).click();
  await page.waitForFunction(
    (selector) => {
      const element = (globalThis as unknown as PageGlobals).document.querySelector(selector);
      const text = element?.textContent ?? '';
      return text !== element?.getAttribute('data-before-run') && /"(data|errors)"/.test(text);
    },
    SELECTORS.result,
    { timeout: timeoutMs },
  );
  return textOf(page, SELECTORS.result);
}

/** Replaces the active tab's variables with `json`. */
export async function setVariables(page: Page, json: string): Promise<void> {
  await page.click(`${SELECTORS.variables} .graphiql-editor:not(.hidden)`);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(json);
  // Monaco closes the brackets and quotes it sees typed: what it added after the cursor goes.
  await page.keyboard.press('Shift+ControlOrMeta+End');
  await page.keyboard.press('Delete');
}

/** Opens the documentation explorer and resolves with its text (the root types and all schema types). */
export async function showDocs(page: Page): Promise<string> {
  await page.click(SELECTORS.docsButton);
  await page.locator(SELECTORS.docs, { hasText: 'All Schema Types' }).waitFor();
  return textOf(page, SELECTORS.docs);
}

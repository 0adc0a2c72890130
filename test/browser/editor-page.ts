import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../nodes/build/demo-runtime';

/**
 * The browser side of the editor test: Debian's chromium driven by playwright-core, what the page
 * logs, the raw-i18n-key check and the screenshots.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const VIEWPORT = { width: 1400, height: 900 };

/** A text that is an i18n key of this package left untranslated, e.g. `mqtt5-in.label.topic`. */
export const RAW_KEY = /mqtt5[-\w]*\.(label|tip|placeholder|status|errors|validation|tabs)\./;

/** The committed screenshots; written only with MQTT5_SCREENSHOTS=1, so `npm test` leaves the tree clean. */
export const IMAGES_DIR = join(REPO_ROOT, 'docs', 'images');

export interface EditorPage {
  browser: Browser;
  page: Page;
  /** Console errors and warnings, and uncaught page errors, in order. */
  problems: string[];
}

export async function openEditor(url: string, timeoutMs: number): Promise<EditorPage> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: timeoutMs,
  });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(10000);
    const problems: string[] = [];
    page.on('console', (message) => {
      const type = message.type();
      if (type === 'error' || type === 'warning') problems.push(`console ${type}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(url, { timeout: timeoutMs });
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="mqtt5 in"]', { timeout: timeoutMs });
    return { browser, page, problems };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Closes the browser, bounded: a browser that does not close is left to playwright's exit handler. */
export async function closeEditor(editor: EditorPage | undefined, timeoutMs = 10000): Promise<void> {
  if (editor === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((done) => {
    timer = setTimeout(done, timeoutMs);
  });
  await Promise.race([editor.browser.close(), bound]);
  clearTimeout(timer);
}

/**
 * Everything of the topmost edit tray a user can read: its visible text, and the placeholders and
 * tooltips of its elements.
 */
export async function trayText(page: Page): Promise<string> {
  const text: unknown = await page.evaluate(`(() => {
    const tray = $('.red-ui-tray').last();
    const attributes = tray.find('[placeholder], [title]').map(function () {
      return [this.getAttribute('placeholder') || '', this.getAttribute('title') || ''].join('\\n');
    }).get();
    return [tray[0] ? tray[0].innerText : ''].concat(attributes).join('\\n');
  })()`);
  if (typeof text !== 'string') throw new Error('the edit tray text is not a string');
  return text;
}

/** The raw i18n keys of this package in `text`. */
export function rawKeys(text: string): string[] {
  return text.split('\n').filter((line) => RAW_KEY.test(line));
}

/**
 * Saves a screenshot of the page to `scratchDir`, and to docs/images with MQTT5_SCREENSHOTS=1.
 * Returns the scratch file's size, so a test can see that it holds an image.
 */
export async function screenshot(page: Page, scratchDir: string, name: string): Promise<number> {
  await settled(page);
  const file = join(scratchDir, name);
  await page.screenshot({ path: file, timeout: 10000 });
  if (process.env['MQTT5_SCREENSHOTS'] === '1') {
    mkdirSync(IMAGES_DIR, { recursive: true });
    copyFileSync(file, join(IMAGES_DIR, name));
  }
  return statSync(file).size;
}

/** Resolves once the topmost edit tray (if any) has stopped sliding in: the same place twice, 200 ms apart. */
async function settled(page: Page, timeoutMs = 5000): Promise<void> {
  const tray = page.locator('.red-ui-tray').last();
  const deadline = Date.now() + timeoutMs;
  let before = '';
  for (;;) {
    const box = (await tray.count()) > 0 ? await tray.boundingBox() : null;
    const now = JSON.stringify(box);
    if (now === before) return;
    if (Date.now() > deadline) throw new Error(`the edit tray did not settle within ${timeoutMs} ms`);
    before = now;
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** Runs `expression` in the editor page, where `RED` and `$` are defined. */
export function inEditor(page: Page, expression: string): Promise<unknown> {
  return page.evaluate(expression);
}

/** Whether the first element matching `selector` has the editor's validation class. */
export async function flagged(page: Page, selector: string): Promise<boolean> {
  return (await page.locator(`${selector}.input-error`).count()) > 0;
}

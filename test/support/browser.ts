/**
 * Headless Chromium for the browser tests: Debian's chromium package (`npm test` installs it
 * when missing, scripts/src/browser.ts), driven by playwright-core, with a fresh profile of its
 * own so that nothing from another run or another browser carries over, and without the
 * background traffic a closed network refuses.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM_PATH = '/usr/bin/chromium';
/** Long enough for a page on a loaded two-core machine, unless a test needs longer. */
const PAGE_TIMEOUT_MS = 30_000;

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Closes the browser and deletes its profile; safe to call more than once. */
  close(): Promise<void>;
}

export async function launchBrowser(
  name: string,
  { pageTimeoutMs = PAGE_TIMEOUT_MS }: { pageTimeoutMs?: number } = {},
): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: npm test installs it (apt-get install -y chromium), or install it by hand.`,
    );
  }
  const profile = mkdtempSync(path.join(tmpdir(), `${name}-chromium-`));
  const close = async (context?: BrowserContext) => {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(pageTimeoutMs);
    const opened = context;
    return { context: opened, page, close: () => close(opened) };
  } catch (error) {
    await close(context);
    throw error;
  }
}

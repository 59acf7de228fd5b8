// Shared helpers for axe_check.mjs and screenshot.mjs: launch Debian's
// /usr/bin/chromium through playwright-core from tools/node_modules.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
export const TOOLS_DIR = process.env.REPORTGEN_TOOLS_DIR
  || path.resolve(here, '..', '..', 'tools');
export const requireTool = createRequire(path.join(TOOLS_DIR, 'package.json'));

export const CHROMIUM = process.env.REPORTGEN_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function fileUrl(p) {
  return pathToFileURL(path.resolve(p)).href;
}

// Launch chromium with a fresh, throw-away profile; returns {browser, page, close}.
// Only file: and data: loads are allowed: any http(s) request from the page is
// aborted (and listed in `blocked`), since reports must be self-contained.
export async function openPage(htmlPath, { width = 1200, height = 900 } = {}) {
  const { chromium } = requireTool('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reportgen-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    deviceScaleFactor: 1,
    bypassCSP: true, // so axe can be injected into pages with a strict CSP
    timeout: 60_000,
  });
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    blocked.push(url);
    return route.abort();
  });
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(fileUrl(htmlPath), { waitUntil: 'load', timeout: 60_000 });
  await page.evaluate(() => document.fonts.ready.then(() => true));
  const close = async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, page, blocked, close };
}

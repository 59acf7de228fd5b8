// Usage: node tests/support/screenshot.mjs PAGE.html OUT.png [WIDTH] [full|viewport]
// Renders PAGE.html in headless /usr/bin/chromium and writes a PNG screenshot.
import { openPage } from './_browser.mjs';

const [htmlPath, pngPath, widthArg, mode] = process.argv.slice(2);
if (!htmlPath || !pngPath) {
  console.error('usage: node screenshot.mjs PAGE.html OUT.png [WIDTH] [full|viewport]');
  process.exit(2);
}
const width = Number(widthArg || 1200);
const { page, blocked, close } = await openPage(htmlPath, { width });
try {
  await page.screenshot({ path: pngPath, fullPage: mode !== 'viewport', animations: 'disabled' });
  if (blocked.length) console.error(`screenshot: blocked network requests: ${blocked.join(' ')}`);
} finally {
  await close();
}

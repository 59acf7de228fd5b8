// Usage: node tests/support/axe_check.mjs PAGE.html [TAG,TAG,...]
// Opens PAGE.html in headless /usr/bin/chromium, injects axe-core, runs it with
// the given rule tags (default WCAG 2.x A/AA) and prints the violations as JSON.
import fs from 'node:fs';
import { openPage, requireTool } from './_browser.mjs';

const [htmlPath, tagArg] = process.argv.slice(2);
if (!htmlPath) {
  console.error('usage: node axe_check.mjs PAGE.html [tag,tag,...]');
  process.exit(2);
}
const tags = (tagArg || 'wcag2a,wcag2aa,wcag21a,wcag21aa,wcag22aa').split(',').filter(Boolean);
const axeSource = fs.readFileSync(requireTool.resolve('axe-core/axe.min.js'), 'utf8');

const { page, blocked, close } = await openPage(htmlPath);
try {
  await page.evaluate(axeSource); // inject as a string: works whatever the page's CSP says
  const result = await page.evaluate(async (runTags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: runTags },
      resultTypes: ['violations'],
    });
    return r.violations;
  }, tags);
  if (blocked.length) console.error(`axe_check: blocked network requests: ${blocked.join(' ')}`);
  process.stdout.write(JSON.stringify(result));
} finally {
  await close();
}

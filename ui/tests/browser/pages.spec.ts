// Every page, light and dark, at 1280×800 then 800×600: it renders with its data, it has no
// horizontal scroll, axe finds nothing serious or critical, and a full-page screenshot of
// each size is saved under test-results/screenshots/ (a fixed path for CI artifacts).

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, open, PAGES, SCREENSHOTS, test } from './harness';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
];

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} theme`, () => {
    test.use({ colorScheme: scheme, viewport: SIZES[0] });

    for (const p of PAGES) {
      test(`${p.name}: renders, fits 1280×800 and 800×600, passes axe`, async ({ page }) => {
        await open(page, p.path);
        await expect(page.getByRole('heading', { level: 1, name: p.heading })).toBeVisible();
        await expect(page.getByTestId('sandbox-banner')).toBeVisible();
        await expect(page.getByText(/^Loading/)).toHaveCount(0);
        if (p.name === 'analytics' || p.name === 'diagnostics')
          await expect(page.locator('figure.chart canvas').first()).toBeVisible();

        const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
        expect(bg).toBe(scheme === 'dark' ? 'rgb(18, 19, 24)' : 'rgb(244, 245, 248)');

        expect(await seriousViolations(page)).toEqual([]);

        for (const size of SIZES) {
          await page.setViewportSize(size);
          // Let charts follow their container's new width.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          expect(await horizontalOverflow(page), `horizontal scroll at ${size.width}×${size.height}`).toBeLessThanOrEqual(0);
          await page.screenshot({
            path: `${SCREENSHOTS}/${p.name}-${size.width}x${size.height}-${scheme}.png`,
            fullPage: true,
          });
        }
      });
    }
  });
}

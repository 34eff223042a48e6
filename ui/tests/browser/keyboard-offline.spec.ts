import { expect, open, PAGES, test } from './harness';

test('keyboard: skip link first, then the navigation in order, with visible focus', async ({ page }) => {
  await open(page, '/connect');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // From the top again: skip link, brand, then the navigation.
  await page.reload();
  await page.waitForFunction(() => window.__outpost?.ready === true);
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab'); // brand
  await expect(page.getByRole('link', { name: 'Outpost home' })).toBeFocused();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const title of ['Connect', 'Publish', 'Queue', 'Analytics', 'Diagnostics', 'Settings']) {
    await page.keyboard.press('Tab');
    const link = nav.getByRole('link', { name: title, exact: true });
    await expect(link).toBeFocused();
    const outline = await link.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline, `focus ring on ${title}`).not.toBe('none');
  }

  // Enter on a link opens the page and moves focus into it.
  await page.keyboard.press('Shift+Tab'); // Diagnostics
  await page.keyboard.press('Shift+Tab'); // Analytics
  await page.keyboard.press('Shift+Tab'); // Queue
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/queue$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Queue' })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('main')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Pause uploads' })).toBeFocused();
});

test('offline: every page works with the network blocked and logs no error', async ({ page, strict }) => {
  await open(page, '/connect');
  for (const p of PAGES) {
    await page.evaluate((path) => (location.hash = `#${path}`), p.path);
    await expect(page.getByRole('heading', { level: 1, name: p.heading })).toBeVisible();
    await expect(page.getByText(/^Loading/)).toHaveCount(0);
  }
  // The `strict` fixture fails the test on any blocked request or console/page error;
  // say so here too, where it is the point of the test.
  expect(strict.blocked).toEqual([]);
  expect(strict.errors).toEqual([]);
});

// Shared set-up of the browser tests: the harness page (the real app with Tauri's IPC
// mocked), offline (every request that is not to the local server is blocked and
// recorded), and strict (any console error or uncaught page error fails the test).

import { test as base, expect, type Locator, type Page } from '@playwright/test';

export { expect };

interface RecordedCall {
  cmd: string;
  args: Record<string, unknown> | undefined;
}

export const test = base.extend<{ strict: { blocked: string[]; errors: string[] } }>({
  strict: [
    async ({ page, baseURL }, use) => {
      const blocked: string[] = [];
      const errors: string[] = [];
      const origin = new URL(baseURL!).origin;
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin + '/')) return route.continue();
        blocked.push(url);
        return route.abort('blockedbyclient');
      });
      const state = { blocked, errors };
      await use(state);
      expect(errors, 'console or page errors').toEqual([]);
      expect(blocked, 'requests that left the local server').toEqual([]);
    },
    { auto: true },
  ],
});

export const PAGES = [
  { path: '/connect', name: 'connect', heading: 'Connect your accounts' },
  { path: '/connect/tiktok', name: 'connect-tiktok', heading: 'Connect TikTok' },
  { path: '/publish', name: 'publish', heading: 'Publish' },
  { path: '/queue', name: 'queue', heading: 'Queue' },
  { path: '/analytics', name: 'analytics', heading: 'Analytics' },
  { path: '/diagnostics', name: 'diagnostics', heading: 'Diagnostics' },
  { path: '/settings', name: 'settings', heading: 'Settings' },
] as const;

/** Open the harness on a route and wait for the app to have mounted. */
export async function open(page: Page, path = '/connect', query = ''): Promise<void> {
  await page.goto(`/harness.html${query}#${path}`);
  await page.waitForFunction(() => window.__outpost?.ready === true);
}

/** Every recorded `invoke` of one command, with its arguments. */
export function calls(page: Page, cmd: string): Promise<RecordedCall[]> {
  return page.evaluate(
    (c) => window.__outpost.backend.calls.filter((x) => x.cmd === c) as RecordedCall[],
    cmd,
  );
}

/** Emit an event as the core would. */
export function emit(page: Page, event: string, payload: unknown): Promise<void> {
  return page.evaluate(
    ([e, p]) => window.__outpost.backend.emit(e as 'job-update', p as never),
    [event, payload] as const,
  );
}

/** Pixels of a chart's canvas that something was drawn on, and how many are the series' own colour. */
export async function canvasInk(chart: Locator): Promise<{ width: number; height: number; ink: number; series: number }> {
  await expect(chart.locator('canvas')).toHaveCount(1);
  return chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const root = getComputedStyle(document.documentElement);
    const colours = ['--chart-1', '--chart-2', '--chart-3'].map((v) => {
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.fillStyle = root.getPropertyValue(v).trim();
      probe.fillRect(0, 0, 1, 1);
      return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    });
    let ink = 0;
    let series = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      ink++;
      if (data[i + 3] > 200 && colours.some(([r, g, b]) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 24))
        series++;
    }
    return { width: c.width, height: c.height, ink, series };
  });
}

export const SCREENSHOTS = 'test-results/screenshots';

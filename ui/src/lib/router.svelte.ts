// Hash routes (`#/queue`, `#/connect/tiktok`): they work the same from Vite's dev server,
// the harness page and Tauri's custom protocol, with no server-side fallback.

export interface Route {
  /** First segment: `connect`, `publish`, `queue`, `analytics`, `diagnostics`, `settings`. */
  page: string;
  /** The rest (`['tiktok']` for `#/connect/tiktok`). */
  params: string[];
}

export const PAGES = [
  { page: 'connect', title: 'Connect' },
  { page: 'publish', title: 'Publish' },
  { page: 'queue', title: 'Queue' },
  { page: 'analytics', title: 'Analytics' },
  { page: 'diagnostics', title: 'Diagnostics' },
  { page: 'settings', title: 'Settings' },
] as const;

const DEFAULT_PAGE = 'connect';

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const page = parts[0] && PAGES.some((p) => p.page === parts[0]) ? parts[0] : DEFAULT_PAGE;
  return { page, params: page === parts[0] ? parts.slice(1) : [] };
}

export const router = $state<{ route: Route; navigations: number }>({
  route: parseHash(typeof location === 'undefined' ? '' : location.hash),
  navigations: 0,
});

export function startRouter(): () => void {
  const onChange = () => {
    router.route = parseHash(location.hash);
    router.navigations++;
  };
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function href(page: string, ...params: string[]): string {
  return `#/${[page, ...params].map(encodeURIComponent).join('/')}`;
}

export function navigate(page: string, ...params: string[]): void {
  location.hash = href(page, ...params);
}

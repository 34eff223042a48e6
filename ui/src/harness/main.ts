// Test harness entry (harness.html): Tauri's IPC mocked with fixture data, then the real
// app. Query string: `?scenario=fresh` (no accounts, empty queue), `?sandbox=0` (live mode).
// Tests drive it through `window.__outpost`.

import { mockIPC, mockWindows } from '@tauri-apps/api/mocks';
import { MockBackend } from './backend';

const params = new URLSearchParams(location.search);
const backend = new MockBackend({
  scenario: params.get('scenario') ?? 'default',
  sandbox: params.get('sandbox') !== '0',
});

mockWindows('main');
mockIPC((cmd, args) => backend.invoke(cmd, args), { shouldMockEvents: true });
window.__outpost = { backend, ready: false };

await import('../main');
window.__outpost.ready = true;

// What the harness page exposes to the browser tests.
import type { MockBackend } from './backend';

declare global {
  interface Window {
    __outpost: { backend: MockBackend; ready: boolean };
  }
}

export {};

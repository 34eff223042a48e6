// `$lib/api` with every command replaced by a mock (resolving to null unless a test says
// otherwise) and events delivered by `fireEvent`. Use in a test file with:
//   vi.mock('$lib/api', async (orig) => (await import('./api-mock')).mockApi(await orig()));
import { vi } from 'vitest';
import type { EventName, Events } from '../../src/lib/bindings';

type Handler = (payload: unknown) => void;
const handlers = new Map<string, Set<Handler>>();

export function fireEvent<E extends EventName>(event: E, payload: Events[E]): void {
  for (const h of handlers.get(event) ?? []) h(payload);
}

export function listenerCount(event: EventName): number {
  return handlers.get(event)?.size ?? 0;
}

export function mockApi(real: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(real)) {
    if (name === 'toErrorPayload' || name === 'IpcError' || typeof value !== 'function') out[name] = value;
    else out[name] = vi.fn(async () => null);
  }
  out.onEvent = vi.fn(async (event: string, handler: Handler) => {
    if (!handlers.has(event)) handlers.set(event, new Set());
    handlers.get(event)!.add(handler);
    return () => handlers.get(event)?.delete(handler);
  });
  out.onFileDrop = vi.fn(async () => () => {});
  return out;
}

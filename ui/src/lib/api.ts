// Every call the UI makes to the core, and every event it listens to. Components import
// from here, never from `@tauri-apps/api` directly, so the contract has one place
// (with its types in `bindings.ts`, generated from the Rust types).

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type {
  Account,
  AppInfo,
  BestTimes,
  CommandName,
  Commands,
  ConnectStart,
  CreatorInfo,
  Diagnostics,
  ErrorPayload,
  EventName,
  Events,
  FollowerGrowth,
  Limits,
  MediaKind,
  PeriodTotals,
  Platform,
  PlatformInfo,
  PostColumn,
  PostRow,
  Probe,
  PublishRequest,
  QueuedJob,
  QueueListing,
  Settings,
  SettingsUpdate,
} from './bindings';

/** A failed command, carrying the core's `{code, message}`. */
export class IpcError extends Error implements ErrorPayload {
  readonly code: string;
  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'IpcError';
    this.code = payload.code;
  }
}

/** Turn whatever a rejected `invoke` gave into `{code, message}`. */
export function toErrorPayload(e: unknown): ErrorPayload {
  if (e && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if (typeof o.code === 'string' && typeof o.message === 'string') {
      return { code: o.code, message: o.message };
    }
    if (e instanceof Error) return { code: 'ui.unexpected', message: e.message };
  }
  if (typeof e === 'string' && e.trim() !== '') return { code: 'ui.unexpected', message: e };
  return { code: 'ui.unexpected', message: 'Something went wrong, and the app gave no reason.' };
}

async function call<K extends CommandName>(
  cmd: K,
  ...args: Commands[K]['args'] extends undefined ? [] : [Commands[K]['args']]
): Promise<Commands[K]['result']> {
  try {
    return (await invoke(cmd, args[0] as Record<string, unknown> | undefined)) as Commands[K]['result'];
  } catch (e) {
    throw new IpcError(toErrorPayload(e));
  }
}

// App
export const appInfo = (): Promise<AppInfo> => call('app_info');
export const windowPainted = () => call('window_painted');

// Accounts and connecting
export const accountsList = (): Promise<Account[]> => call('accounts_list');
export const platformInfo = (platform: Platform): Promise<PlatformInfo> =>
  call('platform_info', { platform });
export const connectStart = (platform: Platform): Promise<ConnectStart> =>
  call('connect_start', { platform });
export const accountDisconnect = (accountId: number) => call('account_disconnect', { accountId });
export const tiktokCreatorInfo = (accountId: number): Promise<CreatorInfo> =>
  call('tiktok_creator_info', { accountId });

// Media and files
export const mediaLimits = (platform: Platform, kind: MediaKind): Promise<Limits> =>
  call('media_limits', { platform, kind });
export const pickFile = (): Promise<string | null> => call('pick_file');
export const pickFolder = (): Promise<string | null> => call('pick_folder');
export const probeFile = (path: string): Promise<Probe> => call('probe_file', { path });
export const saveTextFile = (suggestedName: string, text: string) =>
  call('save_text_file', { suggestedName, text });

// Publishing and the queue
export const publishSubmit = (request: PublishRequest): Promise<QueuedJob[]> =>
  call('publish_submit', { request });
export const queueList = (all: boolean): Promise<QueueListing> => call('queue_list', { all });
export const queueRetry = (id: number) => call('queue_retry', { id });
export const queueCancel = (id: number) => call('queue_cancel', { id });
export const queuePause = () => call('queue_pause');
export const queueResume = () => call('queue_resume');

// Analytics
export const analyticsGrowth = (
  accountId: number,
  days: number,
  utcOffsetMinutes: number,
): Promise<FollowerGrowth> => call('analytics_growth', { accountId, days, utcOffsetMinutes });
export const analyticsPosts = (
  accountId: number,
  days: number,
  by: PostColumn,
  asc: boolean,
): Promise<PostRow[]> => call('analytics_posts', { accountId, days, by, asc });
export const analyticsTotals = (accountId: number, days: number): Promise<PeriodTotals> =>
  call('analytics_totals', { accountId, days });
export const analyticsBestTimes = (
  accountId: number,
  days: number,
  utcOffsetMinutes: number,
): Promise<BestTimes> => call('analytics_best_times', { accountId, days, utcOffsetMinutes });
export const analyticsCsv = (accountId: number, days: number): Promise<string> =>
  call('analytics_csv', { accountId, days });
export const syncNow = () => call('sync_now');

// Diagnostics and settings
export const diagnostics = (): Promise<Diagnostics> => call('diagnostics');
export const settingsGet = (): Promise<Settings> => call('settings_get');
export const settingsSet = (settings: SettingsUpdate) => call('settings_set', { settings });
export const watchAdd = (path: string, targets: string[]) => call('watch_add', { path, targets });
export const watchRemove = (path: string) => call('watch_remove', { path });
export const developerApps = () => call('developer_apps');
export const developerAppSet = (platform: Platform, clientId: string, clientSecret: string | null) =>
  call('developer_app_set', { platform, clientId, clientSecret });
export const appRestart = () => call('app_restart');

// Events

/** Listen to one of the core's events; resolves to the function that stops listening. */
export function onEvent<E extends EventName>(
  event: E,
  handler: (payload: Events[E]) => void,
): Promise<UnlistenFn> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}

/**
 * Files dropped on the window. Tauri hands the real paths to the webview's drag-drop
 * events (HTML drop events carry no path). `over` is true while files hover the window.
 */
export function onFileDrop(handlers: {
  drop: (paths: string[]) => void;
  over?: (hovering: boolean) => void;
}): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((e) => {
    const p = e.payload;
    if (p.type === 'drop') {
      handlers.over?.(false);
      handlers.drop(p.paths);
    } else {
      handlers.over?.(p.type !== 'leave');
    }
  });
}

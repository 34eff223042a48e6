// State several pages share: the app's identity (sandbox mode) and the accounts.

import { accountsList, appInfo, onEvent } from './api';
import type { Account, AppInfo, ErrorPayload } from './bindings';
import { toErrorPayload } from './api';

export const app = $state<{
  info: AppInfo | null;
  accounts: Account[];
  accountsLoaded: boolean;
  error: ErrorPayload | null;
}>({ info: null, accounts: [], accountsLoaded: false, error: null });

export async function loadAppInfo(): Promise<void> {
  try {
    app.info = await appInfo();
  } catch (e) {
    app.error = toErrorPayload(e);
  }
}

export async function refreshAccounts(): Promise<void> {
  try {
    app.accounts = await accountsList();
    app.accountsLoaded = true;
  } catch (e) {
    app.error = toErrorPayload(e);
  }
}

/** Keep the account list current when a sign-in finishes anywhere in the app. */
export function watchAccounts(): Promise<() => void> {
  return onEvent('account-connected', () => void refreshAccounts());
}

export function activeAccounts(): Account[] {
  return app.accounts.filter((a) => a.status === 'active');
}

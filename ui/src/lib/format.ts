// Words and numbers for people. No business rules: only how things read.

import type { AccountStatus, Account, JobState, Platform, Weekday } from './bindings';

export const PLATFORMS: Platform[] = ['tiktok', 'instagram', 'reddit'];

export const PLATFORM_NAMES: Record<Platform, string> = {
  tiktok: 'TikTok',
  instagram: 'Instagram',
  reddit: 'Reddit',
};

export function platformName(p: string): string {
  return (PLATFORM_NAMES as Record<string, string>)[p] ?? p;
}

/** `@handle`, else the display name, else the platform's id. */
export function accountLabel(a: Account): string {
  if (a.username) return a.platform === 'reddit' ? `u/${a.username}` : `@${a.username}`;
  return a.display_name ?? a.platform_user_id;
}

/** What `publish_submit` takes as a target for this account. */
export function accountTarget(a: Account): string {
  return `${a.platform}:${a.username ?? a.platform_user_id}`;
}

export const ACCOUNT_STATUS_LABELS: Record<AccountStatus, string> = {
  active: 'Connected',
  needs_reconnect: 'Needs reconnecting',
  disconnected: 'Disconnected',
};

/** TikTok's privacy levels, in the words TikTok's own app uses. */
const PRIVACY_LABELS: Record<string, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends (followers you follow back)',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};

export function privacyLabel(level: string): string {
  return PRIVACY_LABELS[level] ?? level.toLowerCase().replaceAll('_', ' ');
}

export const JOB_STATE_LABELS: Record<JobState, string> = {
  queued: 'Queued',
  validating: 'Checking',
  uploading: 'Uploading',
  publishing: 'Publishing',
  processing: 'Processing',
  published: 'Published',
  failed: 'Failed',
  cancelled: 'Cancelled',
  waiting_for_quota: 'Waiting for the posting limit',
};

export const WEEKDAY_NAMES: Record<Weekday, string> = {
  Mon: 'Monday',
  Tue: 'Tuesday',
  Wed: 'Wednesday',
  Thu: 'Thursday',
  Fri: 'Friday',
  Sat: 'Saturday',
  Sun: 'Sunday',
};

/**
 * The locale for numbers and dates: the first of the browser's languages that Intl
 * accepts, else en-US. WebKitGTK reports "C" under LANG=C.UTF-8, and Intl throws on it
 * (even for `undefined`, which falls back to that default), so a tag is always passed.
 */
export function pickLocale(candidates: readonly (string | undefined)[]): string {
  for (const tag of candidates) {
    if (!tag) continue;
    try {
      if (Intl.NumberFormat.supportedLocalesOf(tag).length > 0) return tag;
    } catch {
      // Not a BCP 47 tag ("C", "POSIX"): try the next one.
    }
  }
  return 'en-US';
}

const LOCALE = pickLocale(
  typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language],
);

const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 });

export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : integer.format(n);
}

export function formatCompact(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : compact.format(n);
}

/** A fraction as a percentage (0.0512 → "5.12 %"). */
export function formatRate(r: number | null | undefined, digits = 2): string {
  if (r === null || r === undefined) return '—';
  return `${(r * 100).toFixed(digits)} %`;
}

/** A signed change in percent ("+12.5 %", "−3 %"). */
export function formatChangePct(p: number | null | undefined): string {
  if (p === null || p === undefined) return 'no earlier data';
  const sign = p > 0 ? '+' : p < 0 ? '−' : '±';
  return `${sign}${Math.abs(p).toFixed(1)} %`;
}

export function formatSigned(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const sign = n > 0 ? '+' : n < 0 ? '−' : '±';
  return `${sign}${integer.format(Math.abs(n))}`;
}

/** Binary units, as the core counts them (1 MB = 1,048,576 bytes). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${integer.format(v)} ${units[0]}` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(secs: number | null | undefined): string {
  if (secs === null || secs === undefined) return '—';
  const s = Math.round(secs);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (h > 0) return `${h} h ${m % 60} min`;
  if (m > 0) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${s} s`;
}

const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(LOCALE, { timeStyle: 'short' });

export function formatDateTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : dateTime.format(new Date(ms));
}

const shortDate = new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric' });
const shortDateTime = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

/** "Nov 22": for chart axes. */
export function formatShortDate(ms: number): string {
  return shortDate.format(new Date(ms));
}

/** "Nov 22, 5:57 PM": for dense tables. */
export function formatShortDateTime(ms: number): string {
  return shortDateTime.format(new Date(ms));
}

export function formatDate(ms: number): string {
  return dateOnly.format(new Date(ms));
}

/** A local `YYYY-MM-DD` date as people read it. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return dateOnly.format(new Date(y, m - 1, d));
}

export function formatTime(ms: number): string {
  return timeOnly.format(new Date(ms));
}

export function formatHour(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** The last part of a path (either separator). */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Minutes east of UTC now, as the analytics commands take it. */
export function localUtcOffsetMinutes(at = new Date()): number {
  return -at.getTimezoneOffset();
}

/** A `datetime-local` value ("2026-12-01T18:00") as RFC 3339 with the local offset. */
export function localInputToRfc3339(value: string): string | null {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, '0');
  const [datePart, timePart] = value.split('T');
  const time = timePart.length === 5 ? `${timePart}:00` : timePart;
  return `${datePart}T${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Now (or `ms`) as a `datetime-local` value. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

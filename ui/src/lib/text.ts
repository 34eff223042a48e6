// Counting text the way a platform does. The limits themselves (how many, which unit) come
// from the core's `media_limits`; these only measure, for the live counters. The core
// validates again on submit.

import type { CountUnit } from './bindings';

/** Length of `text` in `unit`: UTF-16 code units (JavaScript's `length`) or Unicode scalar values. */
export function countUnits(text: string, unit: CountUnit): number {
  if (unit === 'utf16') return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** How people should read a unit next to a number. */
export function unitLabel(unit: CountUnit, n = 2): string {
  if (unit === 'utf16') return n === 1 ? 'UTF-16 unit' : 'UTF-16 units';
  return n === 1 ? 'character' : 'characters';
}

const WORD = /[\p{L}\p{N}_]/u;

function isUrl(token: string): boolean {
  const t = token.replace(/^[^\p{L}\p{N}]+/u, '');
  if (t.includes('://') || t.toLowerCase().startsWith('www.')) return true;
  const slash = t.indexOf('/');
  if (slash < 0) return false;
  const host = t.slice(0, slash);
  return host.includes('.') && !host.startsWith('.') && !host.endsWith('.') && /^[\p{L}\p{N}.-]+$/u.test(host);
}

function countTags(text: string, sigil: string, blocked: (c: string) => boolean, chained: boolean): number {
  let total = 0;
  for (const token of text.split(/\s+/)) {
    if (!token || isUrl(token)) continue;
    const chars = [...token];
    let prev: string | null = null;
    let inTag = false;
    chars.forEach((c, i) => {
      if (c === sigil) {
        const free = prev === null || !blocked(prev) || (chained && inTag);
        const next = chars[i + 1];
        inTag = free && next !== undefined && WORD.test(next);
        if (inTag) total++;
      } else if (!WORD.test(c)) {
        inTag = false;
      }
      prev = c;
    });
  }
  return total;
}

/** `#tags` in a caption (not `C#`, `&#39;` or inside a web address). */
export function countHashtags(text: string): number {
  return countTags(text, '#', (p) => WORD.test(p) || p === '&', true);
}

/** `@mentions` in a caption (not inside an e-mail or a web address). */
export function countMentions(text: string): number {
  return countTags(text, '@', (p) => WORD.test(p) || '.-+%'.includes(p), false);
}

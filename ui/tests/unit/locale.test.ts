import { describe, expect, it } from 'vitest';
import { pickLocale } from '../../src/lib/format';

describe('pickLocale', () => {
  it('takes the first tag Intl accepts', () => {
    expect(pickLocale(['fr-FR', 'en-US'])).toBe('fr-FR');
  });

  it('skips what is not a language tag, like the "C" WebKitGTK reports under LANG=C.UTF-8', () => {
    expect(pickLocale(['C', undefined, 'de-DE'])).toBe('de-DE');
    expect(() => new Intl.NumberFormat(pickLocale(['C', 'POSIX'])).format(1234)).not.toThrow();
  });

  it('falls back to en-US', () => {
    expect(pickLocale([])).toBe('en-US');
    expect(pickLocale(['C'])).toBe('en-US');
  });
});

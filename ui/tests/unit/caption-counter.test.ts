import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import CaptionCounter from '../../src/lib/components/CaptionCounter.svelte';
import type { TextLimit } from '../../src/lib/bindings';
import { countHashtags, countMentions, countUnits } from '../../src/lib/text';

const tiktok: TextLimit = { field: 'caption', max: 2200, unit: 'utf16', required: false };
const instagram: TextLimit = { field: 'caption', max: 2200, unit: 'chars', required: false };

describe('counting text like the platforms do', () => {
  it('counts an emoji outside the BMP as 2 UTF-16 units but 1 character', () => {
    expect(countUnits('🎉', 'utf16')).toBe(2);
    expect(countUnits('🎉', 'chars')).toBe(1);
    expect(countUnits('Ridge at dusk 🌄', 'utf16')).toBe(16);
    expect(countUnits('Ridge at dusk 🌄', 'chars')).toBe(15);
    // A family emoji is several scalar values (and more UTF-16 units).
    expect(countUnits('👨‍👩‍👧', 'chars')).toBe(5);
    expect(countUnits('👨‍👩‍👧', 'utf16')).toBe(8);
  });

  it('counts hashtags and mentions, not addresses, e-mails or C#', () => {
    expect(countHashtags('#hiking #golden_hour and C# https://x.com/#top #one#two')).toBe(4);
    expect(countMentions('thanks @trailfan and me@example.com, see https://medium.com/@name')).toBe(1);
  });
});

describe('CaptionCounter', () => {
  it('shows TikTok captions in UTF-16 units and Instagram captions in characters', () => {
    const text = 'Summit 🌄🌄';
    render(CaptionCounter, { text, limit: tiktok, label: 'TikTok caption' });
    render(CaptionCounter, { text, limit: instagram, label: 'Instagram caption' });
    const [tt, ig] = screen.getAllByTestId('caption-counter');
    expect(tt.textContent).toMatch(/TikTok caption:\s*11 \/ 2,200\s+UTF-16 units/);
    expect(ig.textContent).toMatch(/Instagram caption:\s*9 \/ 2,200\s+characters/);
    expect(tt.querySelector('[data-unit]')?.getAttribute('data-unit')).toBe('utf16');
  });

  it('says how far over the limit a caption is, in the limit’s unit', () => {
    const text = '🎉'.repeat(1101); // 1,101 characters, 2,202 UTF-16 units
    render(CaptionCounter, { text, limit: tiktok, label: 'TikTok caption' });
    render(CaptionCounter, { text, limit: instagram, label: 'Instagram caption' });
    const [tt, ig] = screen.getAllByTestId('caption-counter');
    expect(tt.classList.contains('over')).toBe(true);
    expect(tt.textContent).toContain('2 over the limit');
    expect(ig.classList.contains('over')).toBe(false);
    expect(ig.textContent).not.toContain('over the limit');
  });

  it('shows hashtag and mention counts against their limits', () => {
    render(CaptionCounter, {
      text: '#a #b @c',
      limit: instagram,
      label: 'Instagram caption',
      maxHashtags: 30,
      maxMentions: 1,
    });
    const el = screen.getByTestId('caption-counter');
    expect(el.textContent).toContain('2 / 30 hashtags');
    expect(el.textContent).toContain('1 / 1 mentions');
  });

  it('flags a required field left blank', () => {
    render(CaptionCounter, {
      text: '   ',
      limit: { field: 'title', max: 300, unit: 'chars', required: true },
      label: 'Reddit title',
    });
    expect(screen.getByTestId('caption-counter').textContent).toContain('required');
  });
});

import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../../src/lib/api';
import { app } from '../../src/lib/app-state.svelte';
import type { Account, CreatorInfo, Limits } from '../../src/lib/bindings';
import PublishPage from '../../src/pages/publish/PublishPage.svelte';
import { emptyTiktok, tiktokProblems } from '../../src/pages/publish/publish-form';
import TiktokForm from '../../src/pages/publish/TiktokForm.svelte';
import { reactive } from './reactive.svelte';

vi.mock('$lib/api', async (orig) => (await import('./api-mock')).mockApi(await orig()));

const creator = (over: Partial<CreatorInfo> = {}): CreatorInfo => ({
  nickname: 'Maya Lind',
  username: 'maya.outdoors',
  privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
  comment_disabled: false,
  duet_disabled: true,
  stitch_disabled: false,
  max_video_post_duration_sec: 600,
  ...over,
});

const tiktokAccount: Account = {
  id: 1,
  platform: 'tiktok',
  platform_user_id: '730',
  username: 'maya.outdoors',
  display_name: 'Maya Lind',
  avatar_url: null,
  status: 'active',
  status_reason: null,
};

const videoLimits: Limits = {
  platform: 'tiktok',
  kind: 'video',
  post_type: 'TikTok videos',
  supported: true,
  caption: { field: 'caption', max: 2200, unit: 'utf16', required: false },
  title: null,
  max_hashtags: null,
  max_mentions: null,
  containers: ['mp4', 'webm', 'mov'],
  max_bytes: 4 * 1024 ** 3,
  min_duration_secs: null,
  max_duration_secs: 600,
  min_side_px: 360,
  max_side_px: 4096,
  max_width_px: null,
  aspect_ratio: null,
};

describe('TikTok form', () => {
  it('shows the creator’s nickname and preselects no privacy level', () => {
    render(TiktokForm, {
      value: reactive(emptyTiktok()),
      creator: creator(),
      accounts: [{ nickname: 'Maya Lind', username: 'maya.outdoors' }],
    });
    expect(screen.getByTestId('tiktok-posting-as').textContent).toMatch(/Posting as\s+Maya Lind\s+\(@maya\.outdoors\)/);
    const group = screen.getByRole('radiogroup', { name: 'Who can see this video' });
    const radios = within(group).getAllByRole('radio') as HTMLInputElement[];
    expect(radios.map((r) => r.value)).toEqual(['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY']);
    expect(radios.some((r) => r.checked)).toBe(false);
    expect(screen.getByRole('radio', { name: 'Only me' })).toBeTruthy();
  });

  it('starts with interactions off and greys out those the creator disabled', () => {
    render(TiktokForm, {
      value: reactive(emptyTiktok()),
      creator: creator({ duet_disabled: true, comment_disabled: true }),
      accounts: [{ nickname: 'Maya Lind', username: 'maya.outdoors' }],
    });
    const comment = screen.getByRole('checkbox', { name: /^Comment/ }) as HTMLInputElement;
    const duet = screen.getByRole('checkbox', { name: /^Duet/ }) as HTMLInputElement;
    const stitch = screen.getByRole('checkbox', { name: /^Stitch/ }) as HTMLInputElement;
    expect([comment.checked, duet.checked, stitch.checked]).toEqual([false, false, false]);
    expect(comment.disabled).toBe(true);
    expect(duet.disabled).toBe(true);
    expect(stitch.disabled).toBe(false);
    expect(screen.getAllByText(/turned off in your TikTok settings/)).toHaveLength(2);
  });

  it('shows the commercial-content choices, the consent line and the processing note', async () => {
    const value = reactive(emptyTiktok());
    render(TiktokForm, { value, creator: creator(), accounts: [] });
    expect(screen.queryByRole('checkbox', { name: /Your brand/ })).toBeNull();
    await fireEvent.click(screen.getByRole('checkbox', { name: /Disclose commercial content/ }));
    expect(screen.getByRole('checkbox', { name: /Your brand/ })).toBeTruthy();
    await fireEvent.click(screen.getByRole('checkbox', { name: /Branded content/ }));
    expect(screen.getByText(/labeled “Paid partnership”/)).toBeTruthy();
    const consent = screen.getByRole('checkbox', { name: /I agree to TikTok's/ });
    expect(consent.closest('label')?.textContent).toMatch(/Branded Content Policy and\s+Music Usage Confirmation/);
    expect(screen.getByTestId('tiktok-processing-note').textContent).toMatch(/few minutes/);
    expect(value).toMatchObject({ commercial: true, brand_content: true, brand_organic: false });
  });

  it('lists what is missing: privacy, the brand choice, consent', () => {
    expect(tiktokProblems(emptyTiktok(), creator())).toEqual([
      'Choose who can see the TikTok post.',
      "Agree to TikTok's Music Usage Confirmation before posting.",
    ]);
    expect(tiktokProblems({ ...emptyTiktok(), privacy_level: 'SELF_ONLY', consent: true, commercial: true }, creator())).toHaveLength(1);
    expect(tiktokProblems({ ...emptyTiktok(), privacy_level: 'SELF_ONLY', consent: true }, creator())).toEqual([]);
    // A draft is finished in TikTok's app: no privacy here.
    expect(tiktokProblems({ ...emptyTiktok(), draft: true, consent: true }, creator())).toEqual([]);
    expect(tiktokProblems({ ...emptyTiktok(), privacy_level: 'SELF_ONLY', consent: true }, null)).toHaveLength(1);
  });
});

describe('Publish page with TikTok', () => {
  beforeEach(() => {
    app.accounts = [tiktokAccount];
    app.accountsLoaded = true;
    vi.mocked(api.pickFile).mockResolvedValue('/home/maya/Videos/ridge.mp4');
    vi.mocked(api.probeFile).mockResolvedValue({
      bytes: 48_234_112,
      container: 'mp4',
      duration_secs: 42.6,
      width: 1080,
      height: 1920,
    });
    vi.mocked(api.mediaLimits).mockResolvedValue(videoLimits);
    vi.mocked(api.tiktokCreatorInfo).mockResolvedValue(creator());
    vi.mocked(api.publishSubmit).mockResolvedValue([
      { target: 'tiktok:maya.outdoors', account_id: 1, enqueued: { outcome: 'new', job: 51 } },
    ]);
  });

  async function fillBasics() {
    render(PublishPage);
    await fireEvent.click(screen.getByRole('button', { name: 'Choose a file…' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: /TikTok/ }));
    await screen.findByTestId('tiktok-posting-as');
  }

  it('blocks submit without a privacy level and consent, then sends them', async () => {
    await fillBasics();
    await fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    const problems = await screen.findByTestId('publish-problems');
    expect(problems.textContent).toContain('Choose who can see the TikTok post.');
    expect(problems.textContent).toContain('Music Usage Confirmation');
    expect(api.publishSubmit).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByRole('radio', { name: 'Only me' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    expect(api.publishSubmit).not.toHaveBeenCalled();
    expect(screen.getByTestId('publish-problems').textContent).not.toContain('Choose who can see');

    await fireEvent.click(screen.getByRole('checkbox', { name: /I agree to TikTok's/ }));
    await tick();
    expect(screen.queryByTestId('publish-problems')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    expect(api.publishSubmit).toHaveBeenCalledTimes(1);
    const request = vi.mocked(api.publishSubmit).mock.calls[0][0];
    expect(request.source).toEqual({ file: '/home/maya/Videos/ridge.mp4' });
    expect(request.targets).toEqual(['tiktok:maya.outdoors']);
    expect(request.options.tiktok).toMatchObject({
      privacy_level: 'SELF_ONLY',
      disable_comment: true,
      disable_duet: true,
      disable_stitch: true,
      brand_organic: false,
      brand_content: false,
    });
    expect(await screen.findByTestId('publish-results')).toBeTruthy();
  });

  it('blocks a commercial disclosure without saying which kind', async () => {
    await fillBasics();
    await fireEvent.click(screen.getByRole('radio', { name: 'Everyone' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: /I agree to TikTok's/ }));
    await fireEvent.click(screen.getByRole('checkbox', { name: /Disclose commercial content/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    expect((await screen.findByTestId('publish-problems')).textContent).toContain('your brand, branded content');
    expect(api.publishSubmit).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('checkbox', { name: /Your brand/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    expect(vi.mocked(api.publishSubmit).mock.calls[0][0].options.tiktok).toMatchObject({
      privacy_level: 'PUBLIC_TO_EVERYONE',
      brand_organic: true,
      brand_content: false,
    });
  });
});

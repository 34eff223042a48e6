import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { Account } from '../../src/lib/bindings';
import PlatformCard from '../../src/pages/connect/PlatformCard.svelte';

const account = (over: Partial<Account>): Account => ({
  id: 1,
  platform: 'tiktok',
  platform_user_id: '730',
  username: 'maya.outdoors',
  display_name: 'Maya Lind',
  avatar_url: null,
  status: 'active',
  status_reason: null,
  ...over,
});

describe('PlatformCard', () => {
  it('offers to connect a platform with no account', () => {
    render(PlatformCard, { platform: 'reddit', accounts: [account({})] });
    const card = screen.getByTestId('platform-card-reddit');
    expect(card.dataset.state).toBe('not_connected');
    expect(card.textContent).toContain('Not connected');
    const link = screen.getByRole('link', { name: 'Connect Reddit' });
    expect(link.getAttribute('href')).toBe('#/connect/reddit');
  });

  it('shows a connected account by its handle', () => {
    render(PlatformCard, { platform: 'tiktok', accounts: [account({})] });
    const card = screen.getByTestId('platform-card-tiktok');
    expect(card.dataset.state).toBe('connected');
    expect(card.textContent).toContain('@maya.outdoors');
    expect(card.textContent).toContain('Connected');
    expect(screen.getByRole('link', { name: 'Manage TikTok' })).toBeTruthy();
  });

  it('asks for a reconnect, saying why, when an account needs it', () => {
    render(PlatformCard, {
      platform: 'instagram',
      accounts: [
        account({ id: 2, platform: 'instagram' }),
        account({
          id: 4,
          platform: 'instagram',
          username: 'lind.studio',
          status: 'needs_reconnect',
          status_reason: 'Instagram refused to renew access.',
        }),
      ],
    });
    const card = screen.getByTestId('platform-card-instagram');
    expect(card.dataset.state).toBe('needs_reconnect');
    expect(card.textContent).toContain('Needs attention');
    expect(card.textContent).toContain('Needs reconnecting');
    expect(card.textContent).toContain('Instagram refused to renew access.');
    expect(screen.getByRole('link', { name: 'Reconnect Instagram' })).toBeTruthy();
  });

  it('leaves disconnected accounts out', () => {
    render(PlatformCard, { platform: 'tiktok', accounts: [account({ status: 'disconnected' })] });
    expect(screen.getByTestId('platform-card-tiktok').dataset.state).toBe('not_connected');
  });
});

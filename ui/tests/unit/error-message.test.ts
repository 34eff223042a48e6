import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { IpcError, toErrorPayload } from '../../src/lib/api';
import ErrorMessage from '../../src/lib/components/ErrorMessage.svelte';

describe('ErrorMessage', () => {
  it('shows the core’s message in plain words, with its code, as an alert', () => {
    render(ErrorMessage, {
      error: { code: 'oauth.access_denied', message: 'You declined the request on TikTok. Nothing was stored.' },
      title: 'TikTok sign-in did not finish',
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('TikTok sign-in did not finish');
    expect(alert.textContent).toContain('You declined the request on TikTok. Nothing was stored.');
    expect(alert.querySelector('code')?.textContent).toBe('oauth.access_denied');
  });

  it('renders nothing without an error', () => {
    render(ErrorMessage, { error: null });
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('toErrorPayload', () => {
  it('keeps {code, message} from a rejected command', () => {
    expect(toErrorPayload({ code: 'vault.locked', message: 'The vault is locked.' })).toEqual({
      code: 'vault.locked',
      message: 'The vault is locked.',
    });
    const e = new IpcError({ code: 'db.disk_full', message: 'The disk is full.' });
    expect(toErrorPayload(e)).toEqual({ code: 'db.disk_full', message: 'The disk is full.' });
  });

  it('turns anything else into a message people can read', () => {
    expect(toErrorPayload('command pick_file not found')).toEqual({
      code: 'ui.unexpected',
      message: 'command pick_file not found',
    });
    expect(toErrorPayload(new TypeError('x is undefined')).message).toBe('x is undefined');
    expect(toErrorPayload(undefined).message).toMatch(/went wrong/);
  });
});

import { render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../../src/lib/api';
import type { Job } from '../../src/lib/bindings';
import QueuePage from '../../src/pages/queue/QueuePage.svelte';
import { fireEvent as fireCoreEvent, listenerCount } from './api-mock';

vi.mock('$lib/api', async (orig) => (await import('./api-mock')).mockApi(await orig()));

const MB = 1024 * 1024;
const job: Job = {
  id: 41,
  account_id: 1,
  platform: 'tiktok',
  account: 'tiktok:maya.outdoors',
  content_hash: 'b3f1',
  source_path: '/home/maya/Videos/ridge-at-dusk.mp4',
  kind: 'video',
  state: 'uploading',
  options: {},
  publish_at: null,
  attempts: 1,
  next_attempt_at: null,
  bytes_acked: 10 * MB,
  chunks_acked: 1,
  bytes_total: 50 * MB,
  platform_publish_id: null,
  platform_media_id: null,
  last_error_code: null,
  last_error: null,
  step_detail: 'chunk 2 of 5',
  moved_to: null,
  created_at: Date.now() - 60_000,
  updated_at: Date.now(),
};

describe('Queue page', () => {
  beforeEach(() => {
    vi.mocked(api.queueList).mockResolvedValue({ paused: false, jobs: [structuredClone(job)], file_problems: [] });
  });

  it('moves a progress bar when a job-update event arrives', async () => {
    render(QueuePage);
    const row = await screen.findByTestId('job-41');
    const bar = within(row).getByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe(String(10 * MB));
    expect(bar.getAttribute('aria-valuetext')).toBe('10 MB of 50 MB');
    expect(listenerCount('job-update')).toBe(1);

    fireCoreEvent('job-update', {
      job: 41,
      platform: 'tiktok',
      account: 'tiktok:maya.outdoors',
      state: 'uploading',
      step: 'chunk 4 of 5',
      bytes_acked: 40 * MB,
      bytes_total: 50 * MB,
      error: null,
    });
    await tick();
    expect(bar.getAttribute('aria-valuenow')).toBe(String(40 * MB));
    expect(bar.getAttribute('aria-valuetext')).toBe('40 MB of 50 MB');
    expect((bar.firstElementChild as HTMLElement).style.width).toBe('80%');
    expect(within(row).getByTestId('job-detail').textContent).toContain('chunk 4 of 5');

    fireCoreEvent('job-update', {
      job: 41,
      platform: 'tiktok',
      account: 'tiktok:maya.outdoors',
      state: 'failed',
      step: null,
      bytes_acked: 40 * MB,
      bytes_total: 50 * MB,
      error: 'TikTok refused the video: it is longer than your account allows (10 min).',
    });
    await tick();
    expect(within(row).getByTestId('job-state').textContent).toBe('Failed');
    expect(within(row).getByRole('alert').textContent).toContain('longer than your account allows');
    expect(within(row).getByRole('button', { name: /Retry/ })).toBeTruthy();
  });

  it('shows file problems from watched folders and errors in plain words', async () => {
    vi.mocked(api.queueList).mockResolvedValue({
      paused: true,
      jobs: [],
      file_problems: [{ file: '/home/maya/drop/teaser.mov', reason: 'unknown option "privcy_level" for tiktok' }],
    });
    render(QueuePage);
    const problems = await screen.findByTestId('file-problems');
    expect(problems.textContent).toContain('teaser.mov');
    expect(problems.textContent).toContain('unknown option "privcy_level" for tiktok');
    expect(screen.getByTestId('queue-paused')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Resume uploads' })).toBeTruthy();
  });

  it('says what went wrong when the queue cannot be read', async () => {
    vi.mocked(api.queueList).mockRejectedValue({ code: 'db.locked', message: 'The database is busy; try again.' });
    render(QueuePage);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The database is busy; try again.');
    expect(alert.textContent).toContain('db.locked');
  });
});

// A stand-in for the Tauri shell: answers every command of the IPC contract from fixture
// data, records each call (for the browser tests' assertions) and emits the events the
// core would. Test-only: reachable from harness.html, never from index.html.

import { emit } from '@tauri-apps/api/event';
import type {
  Account,
  Commands,
  DeveloperApps,
  ErrorPayload,
  Events,
  EventName,
  Job,
  JobState,
  Platform,
  PublishRequest,
  QueuedJob,
  Settings,
} from '../lib/bindings';
import * as fx from './fixtures';

export interface RecordedCall {
  cmd: string;
  args: unknown;
}

type Args<K extends keyof Commands> = Commands[K]['args'];

const FINISHED: JobState[] = ['published', 'cancelled'];

export class MockBackend {
  readonly calls: RecordedCall[] = [];
  readonly sandbox: boolean;
  accounts: Account[];
  jobs: Job[];
  paused = false;
  settings: Settings;
  /** Commands that fail on their next call, with this error. */
  failures = new Map<string, ErrorPayload>();
  /** Platforms whose developer app was saved through Settings. */
  readonly savedApps = new Set<Platform>();
  private nextAccountId = 10;
  private nextJobId = 50;

  constructor(opts: { scenario: string; sandbox: boolean }) {
    const now = Date.now();
    this.sandbox = opts.sandbox;
    this.accounts = fx.accounts(opts.scenario);
    this.jobs = opts.scenario === 'fresh' ? [] : fx.jobs(now);
    this.settings = fx.settings(opts.sandbox);
  }

  private developerApps(): DeveloperApps {
    const platforms: Platform[] = ['tiktok', 'instagram', 'reddit'];
    return {
      apps: platforms.map((platform) => ({
        platform,
        source: this.sandbox ? (this.savedApps.has(platform) ? 'vault' : null) : 'configuration',
        secret_required: platform !== 'reddit',
      })),
      sandbox_mode: this.sandbox,
      restart_to_go_live: this.sandbox && this.savedApps.size > 0,
    };
  }

  emit<E extends EventName>(event: E, payload: Events[E]): Promise<void> {
    return emit(event, payload);
  }

  /** The core finished a sign-in: the account exists and `account-connected` fires. */
  async completeConnect(platform: Platform, username = `new_${platform}_creator`): Promise<Account> {
    const account: Account = {
      id: this.nextAccountId++,
      platform,
      platform_user_id: `${platform}-${this.nextAccountId}`,
      username,
      display_name: 'New Creator',
      avatar_url: null,
      status: 'active',
      status_reason: null,
    };
    this.accounts.push(account);
    await this.emit('account-connected', { account });
    return account;
  }

  async failConnect(platform: Platform, error: ErrorPayload): Promise<void> {
    await this.emit('connect-failed', { platform, error });
  }

  private account(id: number): Account {
    const a = this.accounts.find((x) => x.id === id);
    if (!a) throw { code: 'account.not_found', message: `No account ${id}.` } satisfies ErrorPayload;
    return a;
  }

  private job(id: number): Job {
    const j = this.jobs.find((x) => x.id === id);
    if (!j) throw { code: 'queue.not_found', message: `No job ${id}.` } satisfies ErrorPayload;
    return j;
  }

  async invoke(cmd: string, sent: unknown): Promise<unknown> {
    // Tauri serialises arguments to JSON: do the same, so the handlers never hold the
    // page's own (reactive) objects.
    const rawArgs: unknown = sent === undefined ? undefined : JSON.parse(JSON.stringify(sent));
    this.calls.push({ cmd, args: rawArgs === undefined ? undefined : JSON.parse(JSON.stringify(rawArgs)) });
    const failure = this.failures.get(cmd);
    if (failure) {
      this.failures.delete(cmd);
      throw failure;
    }
    const now = Date.now();
    switch (cmd as keyof Commands) {
      case 'app_info':
        return { version: '0.1.0', sandbox_mode: this.sandbox, data_dir: fx.DATA_DIR };
      case 'window_painted':
        return null;
      case 'accounts_list':
        return this.accounts.filter((a) => a.status !== 'disconnected');
      case 'platform_info':
        return fx.PLATFORM_INFO[(rawArgs as Args<'platform_info'>).platform];
      case 'connect_start': {
        const { platform } = rawArgs as Args<'connect_start'>;
        const urls: Record<Platform, string> = {
          tiktok: 'http://127.0.0.1:53682/tiktok/v2/auth/authorize/?client_key=sbxtiktokclient01&response_type=code&scope=user.info.basic,video.publish&redirect_uri=http%3A%2F%2F127.0.0.1%3A53712%2Fcallback&state=Jm2x…&code_challenge=…&code_challenge_method=S256',
          instagram: 'http://127.0.0.1:53682/instagram/oauth/authorize?client_id=sbxinstagram01&response_type=code&scope=instagram_business_basic,instagram_business_content_publish&state=q8Lr…',
          reddit: 'http://127.0.0.1:53682/reddit/api/v1/authorize?client_id=sbxreddit01&response_type=code&duration=permanent&scope=identity%20submit%20read&state=Vd0p…',
        };
        return { authorize_url: urls[platform] };
      }
      case 'account_disconnect':
        this.account((rawArgs as Args<'account_disconnect'>).accountId).status = 'disconnected';
        return null;
      case 'tiktok_creator_info':
        this.account((rawArgs as Args<'tiktok_creator_info'>).accountId);
        return fx.creatorInfo();
      case 'media_limits': {
        const { platform, kind } = rawArgs as Args<'media_limits'>;
        return fx.mediaLimits(platform, kind);
      }
      case 'pick_file':
        return '/home/maya/Videos/ridge-at-dusk.mp4';
      case 'pick_folder':
        return '/home/maya/Videos/weekend-edits';
      case 'probe_file':
        return fx.probe((rawArgs as Args<'probe_file'>).path);
      case 'publish_submit':
        return this.submit((rawArgs as Args<'publish_submit'>).request, now);
      case 'queue_list': {
        const { all } = rawArgs as Args<'queue_list'>;
        const jobs = this.jobs
          .filter((j) => all || !FINISHED.includes(j.state) || now - j.updated_at < 12 * 3_600_000)
          .sort((a, b) => b.created_at - a.created_at);
        return { paused: this.paused, jobs, file_problems: fx.FILE_PROBLEMS };
      }
      case 'queue_retry': {
        const j = this.job((rawArgs as Args<'queue_retry'>).id);
        if (j.state !== 'failed') throw { code: 'queue.not_retryable', message: `Job ${j.id} has not failed.` };
        Object.assign(j, { state: 'queued', last_error: null, last_error_code: null, updated_at: now, attempts: j.attempts + 1 });
        return null;
      }
      case 'queue_cancel': {
        const j = this.job((rawArgs as Args<'queue_cancel'>).id);
        Object.assign(j, { state: 'cancelled', updated_at: now });
        return null;
      }
      case 'queue_pause':
        this.paused = true;
        return null;
      case 'queue_resume':
        this.paused = false;
        return null;
      case 'analytics_growth': {
        const a = rawArgs as Args<'analytics_growth'>;
        return fx.growth(this.account(a.accountId), a.days, a.utcOffsetMinutes, now);
      }
      case 'analytics_posts': {
        const a = rawArgs as Args<'analytics_posts'>;
        return fx.posts(this.account(a.accountId), a.days, a.by, a.asc, now);
      }
      case 'analytics_totals': {
        const a = rawArgs as Args<'analytics_totals'>;
        return fx.totals(this.account(a.accountId), a.days, now);
      }
      case 'analytics_best_times': {
        const a = rawArgs as Args<'analytics_best_times'>;
        return fx.bestTimes(this.account(a.accountId), a.days, a.utcOffsetMinutes, now);
      }
      case 'analytics_csv': {
        const a = rawArgs as Args<'analytics_csv'>;
        return fx.csv(this.account(a.accountId), a.days, now);
      }
      case 'save_text_file':
        return `/home/maya/Downloads/${(rawArgs as Args<'save_text_file'>).suggestedName}`;
      case 'sync_now':
        return null;
      case 'diagnostics':
        return fx.diagnostics(now);
      case 'settings_get':
        return structuredClone(this.settings);
      case 'settings_set':
        Object.assign(this.settings, (rawArgs as Args<'settings_set'>).settings);
        return null;
      case 'watch_add': {
        const { path, targets } = rawArgs as Args<'watch_add'>;
        this.settings.watched_folders.push({ path, targets, from_config: false });
        return null;
      }
      case 'watch_remove': {
        const { path } = rawArgs as Args<'watch_remove'>;
        this.settings.watched_folders = this.settings.watched_folders.filter((f) => f.path !== path);
        return null;
      }
      case 'developer_apps':
        return this.developerApps();
      case 'developer_app_set': {
        // The core checks ids and secrets; the harness only records what was saved.
        const { platform } = rawArgs as Args<'developer_app_set'>;
        this.savedApps.add(platform);
        return this.developerApps();
      }
      case 'app_restart':
        return null;
    }
    throw { code: 'ipc.unknown_command', message: `The harness does not know the command ${cmd}.` } satisfies ErrorPayload;
  }

  private submit(request: PublishRequest, now: number): QueuedJob[] {
    const source = 'file' in request.source ? request.source.file : 'url' in request.source ? request.source.url : '';
    return request.targets.map((target) => {
      const [platform, name] = target.split(':');
      const account = this.accounts.find(
        (a) => a.platform === platform && (!name || a.username === name || a.platform_user_id === name),
      );
      if (!account) throw { code: 'publish.unknown_account', message: `No connected account matches ${target}.` };
      const id = this.nextJobId++;
      this.jobs.push({
        id,
        account_id: account.id,
        platform: account.platform,
        account: `${account.platform}:${account.username}`,
        content_hash: 'c0ffee',
        source_path: source,
        kind: 'file' in request.source ? 'video' : 'url' in request.source ? 'link' : 'text',
        state: 'queued',
        options: { caption: request.caption ?? '', options: request.options[account.platform] ?? {} },
        publish_at: request.publish_at ? Date.parse(request.publish_at) : null,
        attempts: 0,
        next_attempt_at: null,
        bytes_acked: 0,
        chunks_acked: 0,
        bytes_total: 'file' in request.source ? 48_234_112 : null,
        platform_publish_id: null,
        platform_media_id: null,
        last_error_code: null,
        last_error: null,
        step_detail: null,
        moved_to: null,
        created_at: now,
        updated_at: now,
      });
      return { target, account_id: account.id, enqueued: { outcome: 'new', job: id } };
    });
  }
}

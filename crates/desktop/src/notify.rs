//! Desktop notifications: which job updates and account events deserve one (a pure
//! decision, tested here), and showing them through `tauri-plugin-notification` when the
//! creator has notifications on. `show()` succeeds even with no notification daemon, so
//! tests check the decision, not the daemon.

use std::collections::HashMap;

use outpost_core::oauth::AccountEvent;
use outpost_core::publish::JobUpdate;
use outpost_core::queue::JobState;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
}

/// Decides on notifications: once each time a job reaches a state worth one. A repeated
/// update of the same state stays silent; a job that left that state (a retry) and reaches
/// it again is worth a new one.
#[derive(Debug, Default)]
pub struct Notifier {
    /// Per job, the state it was last notified for, while it stays there.
    notified: HashMap<i64, JobState>,
}

impl Notifier {
    /// The notification for `u`, if it deserves one and was not shown already.
    pub fn for_job(&mut self, u: &JobUpdate) -> Option<Note> {
        let who = format!("{}:{}", u.platform.as_str(), u.account);
        let platform = u.platform.display_name();
        let note = match u.state {
            JobState::Published => Note {
                title: format!("Published on {platform}"),
                body: format!("Job {} for {who} is live.", u.job),
            },
            JobState::Failed => Note {
                title: format!("{platform} post failed"),
                body: format!(
                    "Job {} for {who}: {}",
                    u.job,
                    u.error.as_deref().unwrap_or("it stopped; see the queue")
                ),
            },
            JobState::WaitingForQuota => Note {
                title: format!("{platform} posting limit reached"),
                body: format!(
                    "Job {} for {who} waits: {}",
                    u.job,
                    u.error
                        .as_deref()
                        .or(u.step.as_deref())
                        .unwrap_or("it goes out when a place frees up")
                ),
            },
            _ => {
                self.notified.remove(&u.job);
                return None;
            }
        };
        if self.notified.insert(u.job, u.state) == Some(u.state) {
            return None;
        }
        Some(note)
    }
}

/// The notification for an account event: only a needed reconnect deserves one.
pub fn for_account(e: &AccountEvent) -> Option<Note> {
    match e {
        AccountEvent::NeedsReconnect {
            platform, reason, ..
        } => Some(Note {
            title: format!("Reconnect your {} account", platform.display_name()),
            body: format!("{reason}. Open Outpost → Connect to sign in again."),
        }),
        _ => None,
    }
}

/// Show `note` as a desktop notification.
pub fn show<R: Runtime>(app: &AppHandle<R>, note: &Note) {
    if let Err(e) = app
        .notification()
        .builder()
        .title(&note.title)
        .body(&note.body)
        .show()
    {
        tracing::warn!(error = %e, "could not show a notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_core::Platform;

    fn update(job: i64, state: JobState, error: Option<&str>) -> JobUpdate {
        JobUpdate {
            job,
            platform: Platform::Tiktok,
            account: "ridge".into(),
            state,
            step: None,
            bytes_acked: 0,
            bytes_total: None,
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn published_failed_and_quota_notify_once() {
        let mut n = Notifier::default();
        let p = n.for_job(&update(1, JobState::Published, None)).unwrap();
        assert_eq!(p.title, "Published on TikTok");
        assert!(n.for_job(&update(1, JobState::Published, None)).is_none());
        let f = n
            .for_job(&update(2, JobState::Failed, Some("caption too long")))
            .unwrap();
        assert!(f.body.contains("caption too long"), "{f:?}");
        let q = n
            .for_job(&update(3, JobState::WaitingForQuota, Some("daily cap")))
            .unwrap();
        assert!(q.title.contains("limit"), "{q:?}");
    }

    #[test]
    fn a_retried_job_that_fails_again_notifies_again() {
        let mut n = Notifier::default();
        assert!(n
            .for_job(&update(5, JobState::Failed, Some("timeout")))
            .is_some());
        assert!(n
            .for_job(&update(5, JobState::Failed, Some("timeout")))
            .is_none());
        // Retry: queued, uploading, then failed again.
        assert!(n.for_job(&update(5, JobState::Queued, None)).is_none());
        assert!(n.for_job(&update(5, JobState::Uploading, None)).is_none());
        assert!(n
            .for_job(&update(5, JobState::Failed, Some("timeout")))
            .is_some());
        // A quota wait that ends and comes back is news again too.
        assert!(n
            .for_job(&update(6, JobState::WaitingForQuota, None))
            .is_some());
        assert!(n.for_job(&update(6, JobState::Publishing, None)).is_none());
        assert!(n
            .for_job(&update(6, JobState::WaitingForQuota, None))
            .is_some());
    }

    #[test]
    fn progress_does_not_notify() {
        let mut n = Notifier::default();
        for s in [
            JobState::Queued,
            JobState::Validating,
            JobState::Uploading,
            JobState::Publishing,
            JobState::Processing,
            JobState::Cancelled,
        ] {
            assert!(n.for_job(&update(4, s, None)).is_none(), "{s:?}");
        }
    }

    #[test]
    fn needs_reconnect_notifies() {
        let e = AccountEvent::NeedsReconnect {
            account_id: 1,
            platform: Platform::Reddit,
            reason: "refresh refused".into(),
        };
        assert!(for_account(&e).unwrap().title.contains("Reddit"));
        let c = AccountEvent::Connected {
            account_id: 1,
            platform: Platform::Reddit,
        };
        assert!(for_account(&c).is_none());
    }
}

//! The job state machine: the states and every allowed transition, in one place.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use ts_rs::TS;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its turn (or its `publish_at`, or its next retry).
    Queued,
    /// Checking the file and options against the platform's limits.
    Validating,
    /// Sending bytes; progress is persisted after each acknowledged chunk.
    Uploading,
    /// The irreversible publish call was made (or is in flight): its id is stored first.
    Publishing,
    /// The platform is processing the published post.
    Processing,
    /// Live on the platform. Final.
    Published,
    /// Stopped for a reason a retry cannot fix (or the creator must act). Final until retried.
    Failed,
    /// Cancelled by the creator. Final.
    Cancelled,
    /// The platform's posting quota is used up; waits for its reset.
    WaitingForQuota,
}

impl JobState {
    /// Every state.
    pub const ALL: [JobState; 9] = [
        JobState::Queued,
        JobState::Validating,
        JobState::Uploading,
        JobState::Publishing,
        JobState::Processing,
        JobState::Published,
        JobState::Failed,
        JobState::Cancelled,
        JobState::WaitingForQuota,
    ];

    /// Stable name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Validating => "validating",
            JobState::Uploading => "uploading",
            JobState::Publishing => "publishing",
            JobState::Processing => "processing",
            JobState::Published => "published",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::WaitingForQuota => "waiting_for_quota",
        }
    }

    /// No worker moves a job out of this state by itself.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::Published | JobState::Failed | JobState::Cancelled
        )
    }

    /// A worker holds the job (validating, uploading, publishing or processing): what the
    /// tray counts as "in flight".
    pub fn is_in_flight(self) -> bool {
        matches!(
            self,
            JobState::Validating
                | JobState::Uploading
                | JobState::Publishing
                | JobState::Processing
        )
    }

    /// Whether `self → to` is allowed.
    pub fn can_go(self, to: JobState) -> bool {
        use JobState::*;
        match (self, to) {
            (Queued, Validating | Cancelled | WaitingForQuota) => true,
            // Validation passes, fails for good, or is retried later.
            (Validating, Uploading | Failed | Cancelled | Queued) => true,
            // An upload may be retried (back to queued) until the publish call is made.
            (Uploading, Publishing | Failed | Cancelled | Queued | WaitingForQuota) => true,
            // After the publish call: never queued again (no second publish); the outcome
            // is learned from the platform.
            (Publishing, Processing | Published | Failed) => true,
            (Processing, Published | Failed) => true,
            (WaitingForQuota, Queued | Cancelled) => true,
            // The creator may retry a failed job (it restarts from the beginning, unless it
            // had published: see `store::transition`).
            (Failed, Queued) => true,
            _ => false,
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused transition or an unknown state name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Not allowed by the state machine.
    #[error("a job cannot go from {from} to {to}")]
    NotAllowed {
        /// From.
        from: JobState,
        /// To.
        to: JobState,
    },
    /// A state name not known to this version.
    #[error("unknown job state {0:?}")]
    Unknown(String),
}

impl FromStr for JobState {
    type Err = TransitionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| TransitionError::Unknown(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::JobState::*;
    use super::*;

    #[test]
    fn the_happy_path_is_allowed_step_by_step() {
        let path = [
            Queued, Validating, Uploading, Publishing, Processing, Published,
        ];
        for pair in path.windows(2) {
            assert!(pair[0].can_go(pair[1]), "{} -> {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn nothing_leaves_published_or_cancelled() {
        for to in JobState::ALL {
            assert!(!Published.can_go(to), "published -> {to}");
            assert!(!Cancelled.can_go(to), "cancelled -> {to}");
        }
    }

    #[test]
    fn after_the_publish_call_a_job_is_never_requeued_or_cancelled() {
        for from in [Publishing, Processing] {
            assert!(!from.can_go(Queued), "{from} -> queued would publish twice");
            assert!(!from.can_go(Cancelled), "{from}: too late to cancel");
            assert!(!from.can_go(Uploading));
        }
    }

    #[test]
    fn exactly_these_transitions_exist() {
        let allowed: Vec<(JobState, JobState)> = JobState::ALL
            .into_iter()
            .flat_map(|a| JobState::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.can_go(*b))
            .collect();
        assert_eq!(allowed.len(), 20, "{allowed:?}");
        assert!(allowed
            .iter()
            .all(|(a, _)| !matches!(a, Published | Cancelled)));
    }

    #[test]
    fn in_flight_is_a_worker_holding_the_job() {
        let flying: Vec<JobState> = JobState::ALL
            .into_iter()
            .filter(|s| s.is_in_flight())
            .collect();
        assert_eq!(flying, [Validating, Uploading, Publishing, Processing]);
    }

    #[test]
    fn names_round_trip() {
        for s in JobState::ALL {
            assert_eq!(s.as_str().parse::<JobState>().unwrap(), s);
        }
        assert!("exploded".parse::<JobState>().is_err());
    }
}

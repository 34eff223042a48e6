//! The upload/publish queue's persisted state (issue 5 builds the workers on it): jobs as an
//! explicit state machine whose transitions are written together with their history in one
//! transaction, and idempotent enqueueing — one job per (content hash, target account).
//!
//! Crash safety rests on two rules kept here: a transition only applies from the state the
//! caller saw (a concurrent or repeated worker cannot move a job twice), and a job that has
//! made its irreversible publish call (`publishing`) can never go back to `queued`: on
//! restart it must ask the platform what happened instead of publishing again.

mod control;
mod state;
mod store;

pub use control::{
    cancel, due, is_paused, jobs_for_source, list, orphans, retry, save_progress, set_moved,
    set_paused, ListFilter, Progress,
};
pub use state::{JobState, TransitionError};
pub use store::{
    enqueue, get, history, transition, transition_with, Changes, Enqueued, Job, JobEvent, NewJob,
    QueueError,
};

//! Watched folders: turns finished media files dropped into a folder into queue jobs.
//!
//! The pieces, each in its own module: which files count ([`filter`]), when a file has
//! finished being written ([`settle`]), per-file sidecars and per-folder defaults
//! ([`sidecar`]), content hashing ([`hash`]), the scanner that resolves targets and
//! enqueues one job per target account ([`scan`]), and the file-system watcher that feeds
//! the scanner ([`watcher`]), and the folders registered with their default targets
//! ([`registry`]); what the queue page shows, jobs with the files that could not be queued
//! ([`overview`]). Dedupe rests on the queue: one job per (BLAKE3 hash, account),
//! so a renamed or copied file is never queued twice for the same account.
//!
//! Moving published files to `published/` belongs to the publish workers, not to this
//! module.

mod error;
pub mod filter;
pub mod hash;
pub mod overview;
pub mod registry;
pub mod scan;
pub mod settle;
pub mod sidecar;
pub mod watcher;

pub use error::WatchError;
pub use filter::{classify, Classification, MediaKind};
pub use hash::{hash_file, FileHash};
pub use registry::WatchedFolder;
pub use scan::{error_file, process_candidate, scan_folder, Candidate, Outcome, Queued};
pub use settle::{FileStamp, SettleTracker};
pub use sidecar::{FolderDefaults, PostSpec, Sidecar, Target};
pub use watcher::{Report, WatchOptions, Watcher};

//! Media checks before upload: what a file is ([`probe`](mod@probe)), what each platform
//! accepts ([`limits`](mod@limits)) and whether a post fits ([`validate`](mod@validate)),
//! so Outpost refuses locally, with a message naming the limit and the value, what the
//! platform would refuse after the upload.
//!
//! Nothing here sends a byte or touches the network or the database: [`probe::probe`]
//! reads a file's headers only (blocking; call it from `spawn_blocking`), and the limits
//! are plain data the UI can show (caption counters). The limits follow
//! `platform-apis-detail.md` and match what the sandbox enforces (`outpost-sandbox`'s
//! `tiktok::publish`, `instagram::publish` and `reddit::media`).
//!
//! This module must never read a whole media file into memory, nor panic or allocate in
//! proportion to a size written inside a file (`fuzz/fuzz_targets/mp4_probe.rs` fuzzes the
//! probe). [`fixture`] writes media files for tests and benchmarks.

#[doc(hidden)]
pub mod fixture;
pub mod limits;
pub mod probe;
pub mod validate;

pub use limits::{
    count_hashtags, count_mentions, limits, AspectRange, CountUnit, Limits, MediaKind, TextLimit,
};
pub use probe::{probe, probe_reader, Container, Probe, ProbeError};
pub use validate::{check, validate, Problem, ValidationError};

/// `n` with thousands separators: `2,305`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2_305), "2,305");
        assert_eq!(thousands(1_073_741_824), "1,073,741,824");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }
}

//! Tests only: a fixed environment as the `Fn(&str) -> Option<String>` lookups that the
//! start-up checks (`display`, `locale`) take instead of reading the process's.

/// The variables of `pairs`, nothing else.
pub fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |k| {
        pairs
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    }
}

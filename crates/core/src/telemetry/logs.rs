//! Reading back the JSON log files that [`super::init`] writes (`outpost.YYYY-MM-DD.jsonl`
//! in the logs folder): one line parsed into a [`LogLine`], and the last lines of the
//! newest file, read from its end in bounded memory. The lines were redacted when written.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::LOG_FILE_PREFIX;

/// Bytes read from the end of the newest log file, at most.
pub const TAIL_BYTES: u64 = 256 * 1024;

/// A log line.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct LogLine {
    /// RFC 3339.
    pub at: String,
    /// Level.
    pub level: String,
    /// Module.
    pub target: String,
    /// Message (redacted by the core when written).
    pub message: String,
}

/// One line of the JSON log files; `None` when it is not JSON.
pub fn parse_line(line: &str) -> Option<LogLine> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    let message = v
        .pointer("/fields/message")
        .and_then(|m| m.as_str())
        .or_else(|| v.get("message").and_then(|m| m.as_str()))
        .unwrap_or("")
        .to_owned();
    Some(LogLine {
        at: s("timestamp"),
        level: s("level"),
        target: s("target"),
        message,
    })
}

/// The last `max` lines of the newest `outpost.*.jsonl` in `dir`, oldest first (none when
/// there is no log file or it cannot be read). Blocking: call it off the async runtime.
pub fn recent(dir: &Path, max: usize) -> Vec<LogLine> {
    let newest = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(LOG_FILE_PREFIX) && n.ends_with(".jsonl"))
        })
        .max();
    let Some(path) = newest else {
        return Vec::new();
    };
    let Ok(mut file) = std::fs::File::open(&path) else {
        return Vec::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(TAIL_BYTES);
    if file.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if file.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    // Reading from the middle of the file: the first line is a partial one.
    let mut lines: Vec<LogLine> = text
        .lines()
        .skip(usize::from(start > 0))
        .filter_map(parse_line)
        .collect();
    let cut = lines.len().saturating_sub(max);
    lines.drain(..cut);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"timestamp":"2026-11-25T10:00:00Z","level":"INFO","fields":{"message":"engine started"},"target":"outpost_desktop::engine"}"#;

    #[test]
    fn log_lines_and_tail() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("outpost.2026-11-25.jsonl"),
            format!("{LINE}\nnot json\n{LINE}\n"),
        )
        .unwrap();
        let logs = recent(dir.path(), 1);
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].message, "engine started");
        assert_eq!(logs[0].level, "INFO");
        assert_eq!(logs[0].target, "outpost_desktop::engine");
    }

    #[test]
    fn the_newest_file_is_read_and_a_cut_first_line_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("outpost.2026-11-24.jsonl"),
            format!("{LINE}\n"),
        )
        .unwrap();
        let newer = LINE.replace("engine started", "newer");
        // Longer than the tail: the read starts mid-line, which is skipped.
        let many = format!("{newer}\n").repeat((TAIL_BYTES as usize / newer.len()) + 10);
        std::fs::write(dir.path().join("outpost.2026-11-25.jsonl"), many).unwrap();
        std::fs::write(dir.path().join("other.jsonl"), "{}\n").unwrap();
        let logs = recent(dir.path(), usize::MAX);
        assert!(!logs.is_empty());
        assert!(logs.iter().all(|l| l.message == "newer"), "{:?}", logs[0]);
        assert!(logs.iter().all(|l| l.level == "INFO"));
    }

    #[test]
    fn no_folder_or_no_file_is_no_lines() {
        let dir = tempfile::tempdir().unwrap();
        assert!(recent(dir.path(), 10).is_empty());
        assert!(recent(&dir.path().join("missing"), 10).is_empty());
    }
}

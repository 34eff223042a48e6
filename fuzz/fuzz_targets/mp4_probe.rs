//! Fuzzes the media probe (`outpost_core::media::probe_reader`): the hand-written reader of
//! ISO-BMFF (MP4/MOV: `ftyp`, every top-level box, `moov/mvhd`, `trak/tkhd`, `mdia/hdlr`,
//! `mvex/mehd`), EBML (WebM), JPEG (with EXIF), PNG and GIF headers. Every file dropped
//! into a watched folder reaches it before any upload, including files cut off or crafted.
//!
//! It must never panic (overflow checks are on in fuzz builds), never allocate in
//! proportion to a size written in the file (run with `-malloc_limit_mb`, see
//! docs/fuzzing.md), and whatever it returns must keep these promises:
//!
//! * a probe reports the input's length as `bytes`, and the container its magic bytes say;
//! * a duration is finite and positive; width and height come together and are non-zero;
//!   images have no duration; an unknown file has nothing but its size;
//! * a refusal has a `media.*` code other than `media.io` (reading from memory cannot
//!   fail) and a non-empty message of at most `MAX_MESSAGE_CHARS` characters;
//! * probing is deterministic;
//! * a reader that holds fewer bytes than announced (a file that shrank while being read)
//!   gives a result or an error, never a panic.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use outpost_core::error::UserFacing;
use outpost_core::media::probe::MAX_FTYP_BYTES;
use outpost_core::media::{probe_reader, Container, Probe, ProbeError};

/// Longest message a refusal may produce (the longest template with two 20-digit numbers).
const MAX_MESSAGE_CHARS: usize = 300;

/// The container the first bytes announce (the probe must agree): a plausible `ftyp` box
/// (16 bytes to `MAX_FTYP_BYTES`) first, then the other signatures.
fn expected_container(data: &[u8]) -> Option<Container> {
    let ftyp = data.len() >= 12
        && &data[4..8] == b"ftyp"
        && (16..=MAX_FTYP_BYTES)
            .contains(&u32::from_be_bytes([data[0], data[1], data[2], data[3]]));
    if ftyp {
        return (&data[8..12] == b"qt  ").then_some(Container::Mov);
    }
    if data.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(Container::WebM)
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Container::Jpeg)
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Container::Png)
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(Container::Gif)
    } else {
        None
    }
}

fn check_probe(p: &Probe, data: &[u8]) {
    assert_eq!(
        p.bytes,
        data.len() as u64,
        "bytes is not the input's length"
    );
    if let Some(c) = expected_container(data) {
        assert_eq!(p.container, c, "container differs from the magic bytes");
    }
    if let Some(d) = p.duration_secs {
        assert!(d.is_finite() && d > 0.0, "duration {d}");
        assert!(p.container.is_video(), "a duration on a {:?}", p.container);
    }
    assert_eq!(
        p.width.is_some(),
        p.height.is_some(),
        "width without height"
    );
    assert!(
        p.width != Some(0) && p.height != Some(0),
        "zero-sized picture"
    );
    if p.container == Container::Unknown {
        assert_eq!(
            (p.duration_secs, p.width),
            (None, None),
            "details of an unknown file"
        );
    }
}

fn check_error(e: &ProbeError) {
    let code = e.code();
    assert!(code.starts_with("media."), "code {code}");
    assert_ne!(code, "media.io", "an in-memory read failed: {e}");
    let message = e.to_string();
    assert!(!message.is_empty());
    assert!(
        message.chars().count() <= MAX_MESSAGE_CHARS,
        "message of {} chars: {message}",
        message.chars().count()
    );
}

/// A result in a comparable form (`ProbeError` has no `PartialEq`).
fn summary(r: &Result<Probe, ProbeError>) -> Result<Probe, (&'static str, String)> {
    match r {
        Ok(p) => Ok(p.clone()),
        Err(e) => Err((e.code(), e.to_string())),
    }
}

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let result = probe_reader(Cursor::new(data), len);
    match &result {
        Ok(p) => check_probe(p, data),
        Err(ProbeError::Empty) => assert!(data.is_empty()),
        Err(e) => check_error(e),
    }
    let again = probe_reader(Cursor::new(data), len);
    assert_eq!(
        summary(&again),
        summary(&result),
        "probe is not deterministic"
    );

    // The file shrank while being probed: any answer but a panic.
    if !data.is_empty() {
        let _ = probe_reader(Cursor::new(&data[..data.len() / 2]), len);
    }
});

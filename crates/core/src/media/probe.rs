//! What a media file is, from its headers alone: size, container (by magic bytes, never by
//! extension), and for videos the duration and picture size; for images the picture size.
//!
//! The readers are hand-written on purpose: Outpost needs a handful of header fields
//! (ISO-BMFF `ftyp`, `moov/mvhd`, `trak/tkhd`, `mdia/hdlr`, `mvex/mehd`; the EBML header and
//! Matroska/WebM `Segment/Info` and `Tracks`; JPEG SOF and EXIF orientation; PNG `IHDR`;
//! the GIF screen descriptor), and a whole demuxer crate to read one box is too much.
//!
//! Every read is a seek plus a small fixed-size buffer: a file is never read whole, and no
//! allocation depends on a size written inside the file (sizes are only compared and
//! added, with overflow checks). The number of boxes/elements visited is capped, so a
//! hostile file costs bounded time. For ISO-BMFF every top-level box is walked to the end
//! of the file (by seeking), so a file cut off anywhere (a download or copy that stopped,
//! usually inside `mdat`) is reported as incomplete rather than uploaded. `fuzz/` holds a
//! target for [`probe_reader`].

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::thousands;
use crate::error::UserFacing;

/// Most boxes (ISO-BMFF), elements (EBML) or segments (JPEG) one probe visits.
pub const MAX_BOXES: u32 = 100_000;

/// Bytes of a JPEG EXIF segment read to find the orientation (IFD0 sits at its start).
const EXIF_BYTES: usize = 4096;

/// What a file is, as far as its headers say.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Probe {
    /// File size in bytes.
    pub bytes: u64,
    /// Container format, from the magic bytes.
    pub container: Container,
    /// Duration in seconds, for a video whose headers give it (`None` for images, and for
    /// videos that do not say, e.g. a WebM recorded live).
    pub duration_secs: Option<f64>,
    /// Picture width in pixels as displayed (after a 90° rotation or EXIF orientation).
    pub width: Option<u32>,
    /// Picture height in pixels as displayed.
    pub height: Option<u32>,
}

/// A container format, recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Container {
    /// ISO-BMFF (a first `ftyp` box of 16 bytes to 64 KiB, with any brand but QuickTime's
    /// and HEIF's): MP4, M4V, 3GP.
    Mp4,
    /// QuickTime (`ftyp` brand `qt  `, or a classic QuickTime file starting with `moov`,
    /// `mdat`, `wide` or `pnot`).
    Mov,
    /// Matroska or WebM (EBML magic `1A 45 DF A3`).
    WebM,
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (its 8-byte signature).
    Png,
    /// GIF (`GIF87a`, `GIF89a`).
    Gif,
    /// Anything else (including HEIF/AVIF images).
    Unknown,
}

impl Container {
    /// The MIME type sent with an upload (`application/octet-stream` for unknown files).
    pub fn mime(self) -> &'static str {
        match self {
            Container::Mp4 => "video/mp4",
            Container::Mov => "video/quicktime",
            Container::WebM => "video/webm",
            Container::Jpeg => "image/jpeg",
            Container::Png => "image/png",
            Container::Gif => "image/gif",
            Container::Unknown => "application/octet-stream",
        }
    }

    /// Whether the container holds a video.
    pub fn is_video(self) -> bool {
        matches!(self, Container::Mp4 | Container::Mov | Container::WebM)
    }

    /// Whether the container holds an image.
    pub fn is_image(self) -> bool {
        matches!(self, Container::Jpeg | Container::Png | Container::Gif)
    }

    /// Name for people: `MP4`, `MOV`, `WebM`, `JPEG`, `PNG`, `GIF`.
    pub fn name(self) -> &'static str {
        match self {
            Container::Mp4 => "MP4",
            Container::Mov => "MOV",
            Container::WebM => "WebM",
            Container::Jpeg => "JPEG",
            Container::Png => "PNG",
            Container::Gif => "GIF",
            Container::Unknown => "an unrecognised format",
        }
    }
}

impl fmt::Display for Container {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a file could not be probed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// Opening or reading the file failed.
    #[error("cannot read {}: {source}", .path.as_ref().map_or_else(|| "the file".to_owned(), |p| p.display().to_string()))]
    Io {
        /// The file, when probing a path.
        path: Option<PathBuf>,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The file has no bytes at all.
    #[error("the file is empty (0 bytes)")]
    Empty,
    /// A box (or element, or header) runs past the end of the file.
    #[error(
        "the file ends inside {what} at byte {} of {}: it looks incomplete (a download or copy that stopped early?)",
        thousands(*.at),
        thousands(*.expected)
    )]
    Incomplete {
        /// What the file ends inside: `its 'mdat' box`, `a box header`, `its 'Cluster' element`.
        what: String,
        /// Where the file ends (its size).
        at: u64,
        /// Where the box says it ends.
        expected: u64,
    },
    /// The index a player needs is missing (an MP4 without `moov`, a WebM without `Segment`).
    #[error("the file has no {what}: it looks incomplete, or was not finished writing")]
    NoIndex {
        /// What is missing.
        what: &'static str,
    },
    /// The structure is invalid.
    #[error("the file is damaged: {reason}")]
    Malformed {
        /// What is wrong, for people.
        reason: String,
    },
}

impl ProbeError {
    fn io(source: io::Error) -> Self {
        ProbeError::Io { path: None, source }
    }

    fn malformed(reason: impl Into<String>) -> Self {
        ProbeError::Malformed {
            reason: reason.into(),
        }
    }

    fn with_path(self, path: &Path) -> Self {
        match self {
            ProbeError::Io { path: None, source } => ProbeError::Io {
                path: Some(path.to_owned()),
                source,
            },
            other => other,
        }
    }

    /// Whether the file itself is at fault (incomplete, damaged, empty), as opposed to a
    /// failure to read it.
    pub fn is_file_problem(&self) -> bool {
        !matches!(self, ProbeError::Io { .. })
    }
}

impl UserFacing for ProbeError {
    fn code(&self) -> &'static str {
        match self {
            ProbeError::Io { .. } => "media.io",
            ProbeError::Empty => "media.empty_file",
            ProbeError::Incomplete { .. } | ProbeError::NoIndex { .. } => "media.incomplete",
            ProbeError::Malformed { .. } => "media.malformed",
        }
    }
}

/// Probe the file at `path` (blocking: call it from `spawn_blocking`). Reads headers only.
pub fn probe(path: &Path) -> Result<Probe, ProbeError> {
    let with_path = |source| ProbeError::Io {
        path: Some(path.to_owned()),
        source,
    };
    let file = File::open(path).map_err(with_path)?;
    let meta = file.metadata().map_err(with_path)?;
    if !meta.is_file() {
        return Err(with_path(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    probe_reader(file, meta.len()).map_err(|e| e.with_path(path))
}

/// Probe `len` bytes readable from `reader` (a file, or a `Cursor` in tests and fuzzing).
pub fn probe_reader<R: Read + Seek>(reader: R, len: u64) -> Result<Probe, ProbeError> {
    if len == 0 {
        return Err(ProbeError::Empty);
    }
    let mut src = Src {
        r: reader,
        len,
        visited: 0,
    };
    let mut head = [0u8; 16];
    let n = src.read_at(0, &mut head)?;
    let container = sniff(&head[..n]);
    let mut probe = Probe {
        bytes: len,
        container,
        duration_secs: None,
        width: None,
        height: None,
    };
    let (duration, dims) = match container {
        Container::Mp4 | Container::Mov => bmff(&mut src)?,
        Container::WebM => webm(&mut src)?,
        Container::Jpeg => (None, jpeg(&mut src)?),
        Container::Png => (None, png(&mut src)?),
        Container::Gif => (None, gif(&mut src)?),
        Container::Unknown => (None, None),
    };
    probe.duration_secs = duration;
    if let Some((w, h)) = dims {
        probe.width = Some(w);
        probe.height = Some(h);
    }
    Ok(probe)
}

/// HEIF/AVIF brands: still images in an ISO-BMFF box structure, not videos.
const HEIF_BRANDS: [&[u8; 4]; 8] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1", b"avif",
];

/// Largest plausible `ftyp` box: a real one holds a few brands (tens of bytes).
pub const MAX_FTYP_BYTES: u32 = 64 * 1024;

/// The container from the first 16 bytes. Signatures first; then the classic QuickTime
/// layout without `ftyp`, which is only a guess from the first box's type.
fn sniff(head: &[u8]) -> Container {
    if head.len() >= 12
        && &head[4..8] == b"ftyp"
        && (16..=MAX_FTYP_BYTES).contains(&be_u32(&head[..4]))
    {
        return match &head[8..12] {
            b"qt  " => Container::Mov,
            brand if HEIF_BRANDS.iter().any(|b| b.as_slice() == brand) => Container::Unknown,
            _ => Container::Mp4,
        };
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Container::WebM;
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Container::Jpeg;
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Container::Png;
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Container::Gif;
    }
    if head.len() >= 8 && matches!(&head[4..8], b"moov" | b"mdat" | b"wide" | b"pnot") {
        return Container::Mov;
    }
    Container::Unknown
}

/// A reader with its length, reading small pieces at absolute positions.
struct Src<R> {
    r: R,
    len: u64,
    visited: u32,
}

impl<R: Read + Seek> Src<R> {
    /// Read `buf.len()` bytes at `pos`, or fewer where the file ends; returns how many.
    fn read_at(&mut self, pos: u64, buf: &mut [u8]) -> Result<usize, ProbeError> {
        if pos >= self.len {
            return Ok(0);
        }
        let n = usize::try_from(self.len - pos).map_or(buf.len(), |left| left.min(buf.len()));
        self.r.seek(SeekFrom::Start(pos)).map_err(ProbeError::io)?;
        self.r.read_exact(&mut buf[..n]).map_err(ProbeError::io)?;
        Ok(n)
    }

    /// Count one more box or element against [`MAX_BOXES`].
    fn visit(&mut self) -> Result<(), ProbeError> {
        self.visited += 1;
        if self.visited > MAX_BOXES {
            return Err(ProbeError::malformed(format!(
                "it has more than {} boxes",
                thousands(u64::from(MAX_BOXES))
            )));
        }
        Ok(())
    }
}

fn be_u16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_be_bytes(a)
}

/// A four-character code for a message: printable ASCII kept, anything else as `?`.
fn fourcc(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '?'
            }
        })
        .collect()
}

/// Width and height as displayed, or `None` when either is zero.
fn dims(w: u32, h: u32) -> Option<(u32, u32)> {
    (w > 0 && h > 0).then_some((w, h))
}

// ---------------------------------------------------------------------------------------
// ISO-BMFF (MP4, MOV)

/// One box: its type and where its header, payload and end are.
struct BoxHdr {
    kind: [u8; 4],
    body: u64,
    end: u64,
}

/// Read the box header at `pos`, inside a parent ending at `parent_end` (`parent` is `None`
/// at the top level). Inside a box, fewer than 8 bytes left are padding (QuickTime ends
/// some lists with a 32-bit zero): `None`.
fn read_box<R: Read + Seek>(
    src: &mut Src<R>,
    pos: u64,
    parent_end: u64,
    parent: Option<[u8; 4]>,
) -> Result<Option<BoxHdr>, ProbeError> {
    src.visit()?;
    let mut h = [0u8; 16];
    let want = usize::try_from(parent_end - pos).map_or(16, |left| left.min(16));
    let n = src.read_at(pos, &mut h[..want])?;
    let incomplete = |what: String, expected: u64| ProbeError::Incomplete {
        what,
        at: src.len,
        expected,
    };
    if n < 8 {
        return match parent {
            None => Err(incomplete("a box header".into(), pos.saturating_add(8))),
            Some(_) => Ok(None),
        };
    }
    let kind = [h[4], h[5], h[6], h[7]];
    let (header, size) = match be_u32(&h[..4]) {
        0 => (8, parent_end - pos),
        1 => {
            if n < 16 {
                return match parent {
                    None => Err(incomplete(
                        format!("the header of its '{}' box", fourcc(&kind)),
                        pos.saturating_add(16),
                    )),
                    Some(_) => Ok(None),
                };
            }
            let large = be_u64(&h[8..16]);
            if large < 16 {
                return Err(ProbeError::malformed(format!(
                    "the '{}' box at byte {} declares a size of {} bytes, less than its header",
                    fourcc(&kind),
                    thousands(pos),
                    thousands(large)
                )));
            }
            (16, large)
        }
        s if s < 8 => {
            return Err(ProbeError::malformed(format!(
                "the '{}' box at byte {} declares a size of {} bytes, less than its header",
                fourcc(&kind),
                thousands(pos),
                s
            )))
        }
        s => (8, u64::from(s)),
    };
    let Some(end) = pos.checked_add(size) else {
        return Err(ProbeError::malformed(format!(
            "the '{}' box at byte {} declares an impossible size",
            fourcc(&kind),
            thousands(pos)
        )));
    };
    if end > parent_end {
        // Past the end of the file: cut off. Past the end of a box inside the file: damaged.
        return Err(match parent {
            Some(p) if parent_end < src.len => ProbeError::malformed(format!(
                "the '{}' box at byte {} runs past the end of its '{}' box",
                fourcc(&kind),
                thousands(pos),
                fourcc(&p)
            )),
            _ => incomplete(format!("its '{}' box", fourcc(&kind)), end),
        });
    }
    Ok(Some(BoxHdr {
        kind,
        body: pos + header,
        end,
    }))
}

/// Call `f` on every child box of `parent`.
fn children<R: Read + Seek>(
    src: &mut Src<R>,
    parent: &BoxHdr,
    mut f: impl FnMut(&mut Src<R>, &BoxHdr) -> Result<(), ProbeError>,
) -> Result<(), ProbeError> {
    let mut pos = parent.body;
    while pos < parent.end {
        let Some(b) = read_box(src, pos, parent.end, Some(parent.kind))? else {
            break;
        };
        f(src, &b)?;
        pos = b.end;
    }
    Ok(())
}

/// Read up to `N` bytes of a box's payload; returns the buffer and how many were read.
fn payload<R: Read + Seek, const N: usize>(
    src: &mut Src<R>,
    b: &BoxHdr,
) -> Result<([u8; N], usize), ProbeError> {
    let mut buf = [0u8; N];
    let want = usize::try_from(b.end - b.body).map_or(N, |left| left.min(N));
    let n = src.read_at(b.body, &mut buf[..want])?;
    Ok((buf, n))
}

type Dims = Option<(u32, u32)>;

/// Walk every top-level box to the end of the file, then read `moov`.
fn bmff<R: Read + Seek>(src: &mut Src<R>) -> Result<(Option<f64>, Dims), ProbeError> {
    let len = src.len;
    let mut pos = 0;
    let mut moov = None;
    while pos < len {
        let Some(b) = read_box(src, pos, len, None)? else {
            break;
        };
        pos = b.end;
        if &b.kind == b"moov" && moov.is_none() {
            moov = Some(b);
        }
    }
    let Some(moov) = moov else {
        return Err(ProbeError::NoIndex {
            what: "'moov' box (the index players need)",
        });
    };
    moov_info(src, &moov)
}

/// A track's picture size and handler type.
#[derive(Default)]
struct Track {
    dims: Dims,
    handler: Option<[u8; 4]>,
}

fn moov_info<R: Read + Seek>(
    src: &mut Src<R>,
    moov: &BoxHdr,
) -> Result<(Option<f64>, Dims), ProbeError> {
    let mut mvhd: Option<(u32, Option<u64>)> = None;
    let mut mehd: Option<u64> = None;
    let mut video: Dims = None;
    let mut fallback: Dims = None;
    children(src, moov, |src, b| {
        match &b.kind {
            b"mvhd" if mvhd.is_none() => mvhd = Some(read_mvhd(src, b)?),
            b"trak" => {
                let t = read_trak(src, b)?;
                match t.handler {
                    Some(h) if &h == b"vide" => video = video.or(t.dims),
                    None => fallback = fallback.or(t.dims),
                    Some(_) => {}
                }
            }
            b"mvex" => children(src, b, |src, c| {
                if &c.kind == b"mehd" {
                    let (buf, n) = payload::<R, 12>(src, c)?;
                    mehd = match (buf[0], n) {
                        (1, 12) => known(be_u64(&buf[4..12])),
                        (0, 8..) => known(u64::from(be_u32(&buf[4..8]))),
                        _ => None,
                    };
                }
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })?;
    let Some((timescale, duration)) = mvhd else {
        return Err(ProbeError::malformed("its 'moov' box has no 'mvhd' box"));
    };
    // A fragmented file may leave mvhd's duration empty and give it in mvex/mehd.
    let secs = duration.or(mehd).map(|d| d as f64 / f64::from(timescale));
    Ok((secs, video.or(fallback)))
}

/// A duration unless it is 0 or all ones (both mean "unknown").
fn known(d: u64) -> Option<u64> {
    (d != 0 && d != u64::MAX && d != u64::from(u32::MAX)).then_some(d)
}

/// `mvhd` (version 0 or 1) → (timescale, duration in timescale units).
fn read_mvhd<R: Read + Seek>(
    src: &mut Src<R>,
    b: &BoxHdr,
) -> Result<(u32, Option<u64>), ProbeError> {
    let (buf, n) = payload::<R, 32>(src, b)?;
    let (timescale, duration) = match (buf[0], n) {
        (0, 20..) => (be_u32(&buf[12..16]), u64::from(be_u32(&buf[16..20]))),
        (1, 32) => (be_u32(&buf[20..24]), be_u64(&buf[24..32])),
        (0 | 1, _) => return Err(ProbeError::malformed("its 'mvhd' box is too short")),
        (v, _) => {
            return Err(ProbeError::malformed(format!(
                "its 'mvhd' box has unknown version {v}"
            )))
        }
    };
    if timescale == 0 {
        return Err(ProbeError::malformed(
            "its 'mvhd' box gives a timescale of 0",
        ));
    }
    Ok((timescale, known(duration)))
}

/// `trak` → the picture size from `tkhd` and the handler type from `mdia/hdlr`.
fn read_trak<R: Read + Seek>(src: &mut Src<R>, trak: &BoxHdr) -> Result<Track, ProbeError> {
    let mut track = Track::default();
    children(src, trak, |src, b| {
        match &b.kind {
            b"tkhd" => track.dims = read_tkhd(src, b)?,
            b"mdia" => children(src, b, |src, c| {
                if &c.kind == b"hdlr" {
                    let (buf, n) = payload::<R, 12>(src, c)?;
                    if n == 12 {
                        track.handler = Some([buf[8], buf[9], buf[10], buf[11]]);
                    }
                }
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })?;
    Ok(track)
}

/// `tkhd` → width and height as displayed (swapped when the matrix turns by 90° or 270°).
fn read_tkhd<R: Read + Seek>(src: &mut Src<R>, b: &BoxHdr) -> Result<Dims, ProbeError> {
    let (buf, n) = payload::<R, 96>(src, b)?;
    // version/flags, times, track id, reserved, duration; then reserved, layer,
    // alternate group, volume, reserved; then the 3×3 matrix, width, height (16.16).
    let matrix = match buf[0] {
        0 => 40,
        1 => 52,
        _ => return Ok(None),
    };
    if n < matrix + 44 {
        return Ok(None);
    }
    let m = |i: usize| be_u32(&buf[matrix + 4 * i..]);
    let w = be_u32(&buf[matrix + 36..]) >> 16;
    let h = be_u32(&buf[matrix + 40..]) >> 16;
    let (a, bb, d) = (m(0), m(1), m(4));
    let turned = a == 0 && d == 0 && bb != 0;
    Ok(if turned { dims(h, w) } else { dims(w, h) })
}

// ---------------------------------------------------------------------------------------
// EBML (WebM, Matroska)

const EBML: u32 = 0x1A45_DFA3;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TRACKS: u32 = 0x1654_AE6B;
const CLUSTER: u32 = 0x1F43_B675;
const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_TYPE: u32 = 0x83;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;

fn element_name(id: u32) -> &'static str {
    match id {
        EBML => "'EBML' header",
        SEGMENT => "'Segment' element",
        INFO => "'Info' element",
        TRACKS => "'Tracks' element",
        CLUSTER => "'Cluster' element",
        0x1C53_BB6B => "'Cues' element",
        0x114D_9B74 => "'SeekHead' element",
        0x1254_C367 => "'Tags' element",
        0x1043_A770 => "'Chapters' element",
        0x1941_A469 => "'Attachments' element",
        0xEC => "'Void' element",
        _ => "an element",
    }
}

/// One EBML element: its id (with the length marker, as written in the spec), where its
/// data starts and ends (`None`: unknown size, runs to the end of its parent).
struct El {
    id: u32,
    data: u64,
    end: Option<u64>,
}

/// Read the element header at `pos`, inside a parent ending at `limit`. `None` when the
/// header does not fit (or the parent is done).
fn read_el<R: Read + Seek>(
    src: &mut Src<R>,
    pos: u64,
    limit: u64,
) -> Result<Option<El>, ProbeError> {
    src.visit()?;
    let mut h = [0u8; 12];
    let want = usize::try_from(limit - pos).map_or(12, |left| left.min(12));
    let n = src.read_at(pos, &mut h[..want])?;
    let h = &h[..n];
    let Some(&first) = h.first() else {
        return Ok(None);
    };
    let id_len = first.leading_zeros() as usize + 1;
    if id_len > 4 {
        return Err(ProbeError::malformed(format!(
            "invalid element id at byte {}",
            thousands(pos)
        )));
    }
    let Some(size_first) = h.get(id_len).copied() else {
        return incomplete_el(src, pos, limit, "an element header", pos.saturating_add(12));
    };
    let size_len = size_first.leading_zeros() as usize + 1;
    if size_len > 8 {
        return Err(ProbeError::malformed(format!(
            "invalid element size at byte {}",
            thousands(pos)
        )));
    }
    let Some(size_bytes) = h.get(id_len..id_len + size_len) else {
        return incomplete_el(src, pos, limit, "an element header", pos.saturating_add(12));
    };
    let id = h[..id_len]
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    let mask = if size_len == 8 { 0 } else { 0xFFu8 >> size_len };
    let mut size = u64::from(size_first & mask);
    let mut all_ones = size_first & mask == mask;
    for &b in &size_bytes[1..] {
        size = (size << 8) | u64::from(b);
        all_ones &= b == 0xFF;
    }
    let data = pos + (id_len + size_len) as u64;
    let end = if all_ones {
        None
    } else {
        match data.checked_add(size) {
            Some(end) if end <= limit => Some(end),
            Some(end) if limit == src.len => {
                return incomplete_el(src, pos, limit, element_name(id), end)
            }
            _ => {
                return Err(ProbeError::malformed(format!(
                    "{} at byte {} runs past the end of its parent",
                    element_name(id),
                    thousands(pos)
                )))
            }
        }
    };
    Ok(Some(El { id, data, end }))
}

/// A header or element that does not fit: cut off at the end of the file, damaged inside.
fn incomplete_el<R>(
    src: &Src<R>,
    pos: u64,
    limit: u64,
    name: &str,
    expected: u64,
) -> Result<Option<El>, ProbeError> {
    if limit == src.len {
        let what = match name.strip_prefix("an ") {
            Some(_) => name.to_owned(),
            None => format!("its {name}"),
        };
        Err(ProbeError::Incomplete {
            what,
            at: src.len,
            expected,
        })
    } else {
        Err(ProbeError::malformed(format!(
            "{name} at byte {} runs past the end of its parent",
            thousands(pos)
        )))
    }
}

/// Call `f` on every child of the element spanning `data..end`; stops at a child of
/// unknown size after `f` saw it (it cannot be skipped).
fn el_children<R: Read + Seek>(
    src: &mut Src<R>,
    data: u64,
    end: u64,
    mut f: impl FnMut(&mut Src<R>, &El, u64) -> Result<(), ProbeError>,
) -> Result<(), ProbeError> {
    let mut pos = data;
    while pos < end {
        let Some(el) = read_el(src, pos, end)? else {
            break;
        };
        let child_end = el.end.unwrap_or(end);
        f(src, &el, child_end)?;
        match el.end {
            Some(e) => pos = e,
            None => break,
        }
    }
    Ok(())
}

/// An unsigned integer element (0 to 8 bytes).
fn el_uint<R: Read + Seek>(src: &mut Src<R>, data: u64, end: u64) -> Result<u64, ProbeError> {
    let len = end - data;
    if len > 8 {
        return Err(ProbeError::malformed(
            "an integer element is longer than 8 bytes",
        ));
    }
    let mut buf = [0u8; 8];
    let n = src.read_at(data, &mut buf[..len as usize])?;
    Ok(buf[..n]
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// A float element (0, 4 or 8 bytes).
fn el_float<R: Read + Seek>(src: &mut Src<R>, data: u64, end: u64) -> Result<f64, ProbeError> {
    let mut buf = [0u8; 8];
    match end - data {
        0 => Ok(0.0),
        4 => {
            src.read_at(data, &mut buf[..4])?;
            Ok(f64::from(f32::from_be_bytes([
                buf[0], buf[1], buf[2], buf[3],
            ])))
        }
        8 => {
            src.read_at(data, &mut buf)?;
            Ok(f64::from_be_bytes(buf))
        }
        _ => Err(ProbeError::malformed("a float element is not 4 or 8 bytes")),
    }
}

fn webm<R: Read + Seek>(src: &mut Src<R>) -> Result<(Option<f64>, Dims), ProbeError> {
    let len = src.len;
    let Some(header) = read_el(src, 0, len)? else {
        return Err(ProbeError::malformed("it has no EBML header"));
    };
    let Some(mut pos) = header.end else {
        return Err(ProbeError::malformed("its EBML header has no size"));
    };
    while pos < len {
        let Some(el) = read_el(src, pos, len)? else {
            break;
        };
        if el.id == SEGMENT {
            return segment(src, el.data, el.end.unwrap_or(len));
        }
        match el.end {
            Some(end) => pos = end,
            None => break,
        }
    }
    Err(ProbeError::NoIndex {
        what: "'Segment' element",
    })
}

/// `Segment` → duration from `Info`, picture size from the first video track. Walks every
/// child it can skip, so a cluster cut off at the end of the file is reported.
fn segment<R: Read + Seek>(
    src: &mut Src<R>,
    data: u64,
    end: u64,
) -> Result<(Option<f64>, Dims), ProbeError> {
    let mut scale: u64 = 1_000_000;
    let mut duration: Option<f64> = None;
    let mut video: Dims = None;
    el_children(src, data, end, |src, el, el_end| {
        match el.id {
            INFO => el_children(src, el.data, el_end, |src, c, c_end| {
                match c.id {
                    TIMESTAMP_SCALE => scale = el_uint(src, c.data, c_end)?,
                    DURATION => duration = Some(el_float(src, c.data, c_end)?),
                    _ => {}
                }
                Ok(())
            })?,
            TRACKS if video.is_none() => el_children(src, el.data, el_end, |src, t, t_end| {
                if t.id == TRACK_ENTRY && video.is_none() {
                    video = track_entry(src, t.data, t_end)?;
                }
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })?;
    let secs = match duration {
        Some(d) => {
            let secs = d * scale as f64 / 1e9;
            if !secs.is_finite() || secs < 0.0 {
                return Err(ProbeError::malformed(
                    "its 'Info' element gives an invalid duration",
                ));
            }
            (secs > 0.0).then_some(secs)
        }
        None => None,
    };
    Ok((secs, video))
}

/// A `TrackEntry` → its picture size, if it is a video track.
fn track_entry<R: Read + Seek>(src: &mut Src<R>, data: u64, end: u64) -> Result<Dims, ProbeError> {
    let mut kind = None;
    let (mut w, mut h) = (0u64, 0u64);
    el_children(src, data, end, |src, c, c_end| {
        match c.id {
            TRACK_TYPE => kind = Some(el_uint(src, c.data, c_end)?),
            VIDEO => el_children(src, c.data, c_end, |src, v, v_end| {
                match v.id {
                    PIXEL_WIDTH => w = el_uint(src, v.data, v_end)?,
                    PIXEL_HEIGHT => h = el_uint(src, v.data, v_end)?,
                    _ => {}
                }
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })?;
    if kind.is_some_and(|k| k != 1) {
        return Ok(None);
    }
    Ok(match (u32::try_from(w), u32::try_from(h)) {
        (Ok(w), Ok(h)) => dims(w, h),
        _ => None,
    })
}

// ---------------------------------------------------------------------------------------
// Images

/// JPEG: walk the marker segments up to the frame header (SOFn), reading the EXIF
/// orientation on the way. Lenient: an odd layout gives no size rather than an error.
fn jpeg<R: Read + Seek>(src: &mut Src<R>) -> Result<Dims, ProbeError> {
    let mut pos: u64 = 2;
    let mut orientation = None;
    loop {
        src.visit()?;
        let mut m = [0u8; 9];
        let n = src.read_at(pos, &mut m)?;
        if n < 2 || m[0] != 0xFF {
            return Ok(None);
        }
        let marker = m[1];
        match marker {
            0xFF => {
                pos += 1; // fill byte
                continue;
            }
            0x01 | 0xD0..=0xD8 => {
                pos += 2;
                continue;
            }
            0xD9 | 0xDA => return Ok(None), // end of image, or scan data before any frame
            _ => {}
        }
        if n < 4 {
            return Ok(None);
        }
        let seg_len = u64::from(be_u16(&m[2..4]));
        if seg_len < 2 {
            return Ok(None);
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            if n < 9 {
                return Ok(None);
            }
            let (h, w) = (u32::from(be_u16(&m[5..7])), u32::from(be_u16(&m[7..9])));
            let turned = matches!(orientation, Some(5..=8));
            return Ok(if turned { dims(h, w) } else { dims(w, h) });
        }
        if marker == 0xE1 && orientation.is_none() {
            let want = usize::try_from(seg_len - 2).map_or(EXIF_BYTES, |l| l.min(EXIF_BYTES));
            let mut buf = vec![0u8; want];
            let got = src.read_at(pos + 4, &mut buf)?;
            orientation = exif_orientation(&buf[..got]);
        }
        pos += 2 + seg_len;
    }
}

/// The EXIF orientation tag (0x0112) from an APP1 payload, if it has one.
fn exif_orientation(app1: &[u8]) -> Option<u16> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    let little = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |i: usize| -> Option<u16> {
        let b = tiff.get(i..i.checked_add(2)?)?;
        Some(if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        })
    };
    let u32_at = |i: usize| -> Option<u32> {
        let b = tiff.get(i..i.checked_add(4)?)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(if little {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    (0..count).find_map(|i| {
        let entry = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        (u16_at(entry)? == 0x0112).then(|| u16_at(entry + 8))?
    })
}

/// PNG: `IHDR` is always the first chunk.
fn png<R: Read + Seek>(src: &mut Src<R>) -> Result<Dims, ProbeError> {
    let mut b = [0u8; 24];
    let n = src.read_at(0, &mut b)?;
    if n < 24 || &b[12..16] != b"IHDR" {
        return Ok(None);
    }
    Ok(dims(be_u32(&b[16..20]), be_u32(&b[20..24])))
}

/// GIF: the logical screen size follows the signature.
fn gif<R: Read + Seek>(src: &mut Src<R>) -> Result<Dims, ProbeError> {
    let mut b = [0u8; 10];
    let n = src.read_at(0, &mut b)?;
    if n < 10 {
        return Ok(None);
    }
    Ok(dims(
        u32::from(u16::from_le_bytes([b[6], b[7]])),
        u32::from(u16::from_le_bytes([b[8], b[9]])),
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::media::fixture::{
        self, boxed, ebml, gif_bytes, jpeg_bytes, png_bytes, webm_bytes, Mp4Fixture,
    };

    fn probe_bytes(bytes: &[u8]) -> Result<Probe, ProbeError> {
        probe_reader(Cursor::new(bytes), bytes.len() as u64)
    }

    fn mp4(f: &Mp4Fixture) -> Vec<u8> {
        f.to_bytes().unwrap()
    }

    /// Where the box after `ftyp` starts.
    fn ftyp_len(bytes: &[u8]) -> usize {
        assert_eq!(&bytes[4..8], b"ftyp");
        be_u32(bytes) as usize
    }

    fn incomplete(e: ProbeError) -> (String, u64, u64) {
        match e {
            ProbeError::Incomplete { what, at, expected } => (what, at, expected),
            other => panic!("expected Incomplete, got {other:?}"),
        }
    }

    fn malformed(e: ProbeError) -> String {
        match e {
            ProbeError::Malformed { reason } => reason,
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn mp4_written_to_disk_gives_size_duration_and_the_video_tracks_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.mp4");
        fixture::write_mp4(&path, 42, 300_000).unwrap();
        let p = probe(&path).unwrap();
        assert_eq!(
            p,
            Probe {
                bytes: 300_000,
                container: Container::Mp4,
                duration_secs: Some(42.0),
                width: Some(1080),
                height: Some(1920),
            }
        );
        assert_eq!(p.container.mime(), "video/mp4");
        assert!(p.container.is_video() && !p.container.is_image());
    }

    #[test]
    fn moov_after_mdat_is_found_by_seeking_past_the_media_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("camera.mp4");
        fixture::write_mp4_moov_last(&path, 61, 2_000_000).unwrap();
        let p = probe(&path).unwrap();
        assert_eq!(p.duration_secs, Some(61.0));
        assert_eq!((p.width, p.height), (Some(1080), Some(1920)));
        let bytes = std::fs::read(&path).unwrap();
        let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap();
        let moov = bytes.windows(4).rposition(|w| w == b"moov").unwrap();
        assert!(moov > mdat, "moov really is last");
    }

    #[test]
    fn quicktime_brand_is_mov() {
        let p = probe_bytes(&mp4(&Mp4Fixture {
            brand: *b"qt  ",
            ..Mp4Fixture::new(7, 5_000)
        }))
        .unwrap();
        assert_eq!(p.container, Container::Mov);
        assert_eq!(p.container.mime(), "video/quicktime");
        assert_eq!(p.duration_secs, Some(7.0));
        // Other ISO-BMFF brands are MP4.
        for brand in [b"mp42", b"M4V ", b"avc1", b"3gp5"] {
            let f = Mp4Fixture {
                brand: *brand,
                ..Mp4Fixture::new(1, 5_000)
            };
            assert_eq!(probe_bytes(&mp4(&f)).unwrap().container, Container::Mp4);
        }
    }

    #[test]
    fn sixty_four_bit_mdat_and_version_1_mvhd_are_read() {
        for moov_last in [false, true] {
            let f = Mp4Fixture {
                large_mdat: true,
                mvhd_v1: true,
                moov_last,
                ..Mp4Fixture::new(905, 50_000)
            };
            let bytes = mp4(&f);
            let at = bytes.windows(4).position(|w| w == b"mdat").unwrap() - 4;
            assert_eq!(
                &bytes[at..at + 4],
                &1u32.to_be_bytes()[..],
                "size 1 means largesize"
            );
            let p = probe_bytes(&bytes).unwrap();
            assert_eq!(p.duration_secs, Some(905.0));
            assert_eq!(p.bytes, 50_000);
        }
    }

    /// A huge file served from its first and last bytes; everything between reads as zeros.
    struct Sparse {
        head: Vec<u8>,
        tail: Vec<u8>,
        len: u64,
        pos: u64,
    }

    impl Read for Sparse {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let tail_start = self.len - self.tail.len() as u64;
            let n = buf.len().min((self.len - self.pos) as usize);
            for (i, b) in buf[..n].iter_mut().enumerate() {
                let at = self.pos + i as u64;
                *b = if at < self.head.len() as u64 {
                    self.head[at as usize]
                } else if at >= tail_start {
                    self.tail[(at - tail_start) as usize]
                } else {
                    0
                };
            }
            self.pos += n as u64;
            Ok(n)
        }
    }

    impl Seek for Sparse {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.pos = match to {
                SeekFrom::Start(p) => p,
                _ => unreachable!("the probe seeks from the start only"),
            };
            Ok(self.pos)
        }
    }

    #[test]
    fn a_five_gib_file_with_moov_last_is_probed_from_its_headers() {
        let total = 5 * 1024 * 1024 * 1024 + 123;
        let f = Mp4Fixture {
            moov_last: true,
            ..Mp4Fixture::new(600, total)
        };
        // Past 4 GiB, mdat needs the 64-bit size: ftyp, then size 1, "mdat", largesize.
        // moov is the same whatever the size: take it from a small file.
        let small = mp4(&Mp4Fixture {
            moov_last: true,
            ..Mp4Fixture::new(600, 10_000)
        });
        let moov = small[small.windows(4).rposition(|w| w == b"moov").unwrap() - 4..].to_vec();
        let mut head = Vec::new();
        f.write_to(&mut head, Some(64)).unwrap();
        let at = ftyp_len(&head);
        assert_eq!(&head[at..at + 8], b"\0\0\0\x01mdat");
        let mdat_size = total - at as u64 - moov.len() as u64;
        assert_eq!(head[at + 8..at + 16], mdat_size.to_be_bytes());
        let src = Sparse {
            head,
            tail: moov,
            len: total,
            pos: 0,
        };
        let p = probe_reader(src, total).unwrap();
        assert_eq!(p.bytes, total);
        assert_eq!(p.duration_secs, Some(600.0));
        assert_eq!((p.width, p.height), (Some(1080), Some(1920)));
    }

    #[test]
    #[ignore = "writes 2 GiB to a temporary directory; run with --ignored"]
    fn two_gib_fixture_is_written_and_probed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.mp4");
        let total = 2 * 1024 * 1024 * 1024;
        fixture::write_mp4_moov_last(&path, 1200, total).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), total);
        let p = probe(&path).unwrap();
        assert_eq!((p.bytes, p.duration_secs), (total, Some(1200.0)));
    }

    #[test]
    fn a_90_degree_matrix_gives_the_displayed_size() {
        let f = Mp4Fixture {
            rotate_90: true,
            width: 1080,
            height: 1920,
            ..Mp4Fixture::new(3, 5_000)
        };
        let bytes = mp4(&f);
        let p = probe_bytes(&bytes).unwrap();
        assert_eq!((p.width, p.height), (Some(1080), Some(1920)));
    }

    #[test]
    fn a_download_cut_off_inside_mdat_is_incomplete_naming_both_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.mp4");
        fixture::write_truncated_mp4(&path, 30, 200_000, 150_000).unwrap();
        let e = probe(&path).unwrap_err();
        assert_eq!(e.code(), "media.incomplete");
        assert!(e.is_file_problem());
        assert_eq!(
            e.to_string(),
            "the file ends inside its 'mdat' box at byte 150,000 of 200,000: it looks \
             incomplete (a download or copy that stopped early?)"
        );
        // The same with moov last: the cut lands in mdat, moov never arrived.
        let bytes = mp4(&Mp4Fixture {
            moov_last: true,
            ..Mp4Fixture::new(30, 200_000)
        });
        let (what, at, _) = incomplete(probe_bytes(&bytes[..150_000]).unwrap_err());
        assert_eq!((what.as_str(), at), ("its 'mdat' box", 150_000));
    }

    #[test]
    fn a_cut_inside_moov_or_a_box_header_is_incomplete() {
        let bytes = mp4(&Mp4Fixture::new(30, 10_000));
        let (what, at, expected) = incomplete(probe_bytes(&bytes[..100]).unwrap_err());
        assert_eq!(what, "its 'moov' box");
        assert_eq!(at, 100);
        assert!(expected > 100);
        // ftyp then 3 bytes of the next header.
        let f = ftyp_len(&bytes);
        let (what, at, expected) = incomplete(probe_bytes(&bytes[..f + 3]).unwrap_err());
        assert_eq!(
            (what.as_str(), at, expected),
            ("a box header", f as u64 + 3, f as u64 + 8)
        );
        // A 64-bit header cut after its first 8 bytes.
        let large = mp4(&Mp4Fixture {
            large_mdat: true,
            moov_last: true,
            ..Mp4Fixture::new(30, 10_000)
        });
        let (what, _, expected) = incomplete(probe_bytes(&large[..f + 12]).unwrap_err());
        assert_eq!(
            (what.as_str(), expected),
            ("the header of its 'mdat' box", f as u64 + 16)
        );
    }

    #[test]
    fn a_complete_file_without_moov_has_no_index() {
        let f = Mp4Fixture {
            moov_last: true,
            ..Mp4Fixture::new(30, 10_000)
        };
        let bytes = mp4(&f);
        let moov_at = bytes.windows(4).rposition(|w| w == b"moov").unwrap() - 4;
        let e = probe_bytes(&bytes[..moov_at]).unwrap_err();
        assert!(matches!(e, ProbeError::NoIndex { .. }), "{e:?}");
        assert_eq!(e.code(), "media.incomplete");
        assert!(e.to_string().contains("no 'moov' box"), "{e}");
    }

    #[test]
    fn a_size_zero_box_runs_to_the_end_of_the_file() {
        let mut bytes = mp4(&Mp4Fixture::new(9, 5_000));
        let mdat = bytes.windows(4).position(|w| w == b"mdat").unwrap() - 4;
        bytes[mdat..mdat + 4].copy_from_slice(&[0; 4]);
        let p = probe_bytes(&bytes).unwrap();
        assert_eq!(p.duration_secs, Some(9.0));
    }

    #[test]
    fn broken_box_sizes_are_damage_not_panics() {
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0isom");
        // A size below the 8-byte header.
        let mut bytes = ftyp.clone();
        bytes.extend_from_slice(&[0, 0, 0, 4]);
        bytes.extend_from_slice(b"free\0\0\0\0");
        assert!(malformed(probe_bytes(&bytes).unwrap_err()).contains("less than its header"));
        // A largesize below 16.
        let mut bytes = ftyp.clone();
        bytes.extend_from_slice(&[0, 0, 0, 1]);
        bytes.extend_from_slice(b"mdat");
        bytes.extend_from_slice(&8u64.to_be_bytes());
        assert!(malformed(probe_bytes(&bytes).unwrap_err()).contains("less than its header"));
        // A largesize that overflows any offset.
        let mut bytes = ftyp.clone();
        bytes.extend_from_slice(&[0, 0, 0, 1]);
        bytes.extend_from_slice(b"mdat");
        bytes.extend_from_slice(&u64::MAX.to_be_bytes());
        assert!(malformed(probe_bytes(&bytes).unwrap_err()).contains("impossible size"));
        // A 4 GB box in a tiny file: the file is cut off, nothing is allocated.
        let mut bytes = ftyp.clone();
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        bytes.extend_from_slice(b"mdat");
        let (what, _, expected) = incomplete(probe_bytes(&bytes).unwrap_err());
        let end = ftyp.len() as u64 + u64::from(u32::MAX);
        assert_eq!((what.as_str(), expected), ("its 'mdat' box", end));
        // A child running past its parent, with more data after the parent.
        let mut mvhd = [0u8; 100];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        let mut moov_body = boxed(b"mvhd", &mvhd);
        moov_body.extend_from_slice(&1000u32.to_be_bytes());
        moov_body.extend_from_slice(b"trak");
        let mut bytes = ftyp.clone();
        bytes.extend(boxed(b"moov", &moov_body));
        bytes.extend(boxed(b"free", &[0; 2000]));
        let reason = malformed(probe_bytes(&bytes).unwrap_err());
        assert!(
            reason.contains("'trak'") && reason.contains("past the end of its 'moov'"),
            "{reason}"
        );
    }

    #[test]
    fn mvhd_problems_are_damage() {
        let ftyp = boxed(b"ftyp", b"isom\0\0\x02\0isom");
        let with_moov = |moov_body: &[u8]| {
            let mut b = ftyp.clone();
            b.extend(boxed(b"moov", moov_body));
            b
        };
        assert!(malformed(probe_bytes(&with_moov(&[])).unwrap_err()).contains("no 'mvhd'"));
        assert!(
            malformed(probe_bytes(&with_moov(&boxed(b"mvhd", &[0; 10]))).unwrap_err())
                .contains("too short")
        );
        assert!(
            malformed(probe_bytes(&with_moov(&boxed(b"mvhd", &[0; 100]))).unwrap_err())
                .contains("timescale of 0")
        );
        let mut v7 = vec![7];
        v7.extend_from_slice(&[0; 99]);
        assert!(
            malformed(probe_bytes(&with_moov(&boxed(b"mvhd", &v7))).unwrap_err())
                .contains("version 7")
        );
    }

    #[test]
    fn a_fragmented_file_takes_its_duration_from_mehd() {
        let ftyp = boxed(b"ftyp", b"iso5\0\0\x02\0iso5");
        let mut mvhd = vec![0; 12];
        mvhd.extend_from_slice(&90_000u32.to_be_bytes()); // timescale
        mvhd.extend_from_slice(&0u32.to_be_bytes()); // duration: unknown
        mvhd.extend_from_slice(&[0; 80]);
        let mut mehd = vec![1, 0, 0, 0];
        mehd.extend_from_slice(&(90_000u64 * 75 / 2).to_be_bytes()); // 37.5 s
        let mut moov = boxed(b"mvhd", &mvhd);
        moov.extend(boxed(b"mvex", &boxed(b"mehd", &mehd)));
        let mut bytes = ftyp;
        bytes.extend(boxed(b"moov", &moov));
        for _ in 0..3 {
            bytes.extend(boxed(b"moof", &[0; 16]));
            bytes.extend(boxed(b"mdat", &[7; 64]));
        }
        let p = probe_bytes(&bytes).unwrap();
        assert_eq!(p.duration_secs, Some(37.5));
        assert_eq!((p.width, p.height), (None, None));
        // Without mehd the duration is unknown, not zero.
        let mut bytes = boxed(b"ftyp", b"iso5\0\0\x02\0iso5");
        bytes.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd)));
        assert_eq!(probe_bytes(&bytes).unwrap().duration_secs, None);
    }

    #[test]
    fn too_many_boxes_are_refused_in_bounded_time() {
        let mut bytes = boxed(b"ftyp", b"isom\0\0\x02\0isom");
        for _ in 0..=MAX_BOXES {
            bytes.extend(boxed(b"free", &[]));
        }
        let reason = malformed(probe_bytes(&bytes).unwrap_err());
        assert!(reason.contains("more than 100,000 boxes"), "{reason}");
    }

    #[test]
    fn webm_gives_duration_and_the_video_tracks_size() {
        for live in [false, true] {
            let p = probe_bytes(&webm_bytes(Some(12_345.0), 1920, 1080, live)).unwrap();
            assert_eq!(p.container, Container::WebM);
            assert_eq!(p.container.mime(), "video/webm");
            assert_eq!(p.duration_secs, Some(12.345));
            assert_eq!((p.width, p.height), (Some(1920), Some(1080)));
        }
        // A live recording without Duration: unknown.
        let p = probe_bytes(&webm_bytes(None, 640, 480, true)).unwrap();
        assert_eq!(p.duration_secs, None);
        assert_eq!(p.width, Some(640));
    }

    #[test]
    fn webm_cut_off_is_incomplete_and_without_segment_has_no_index() {
        let known = webm_bytes(Some(1000.0), 640, 480, false);
        let (what, at, expected) = incomplete(probe_bytes(&known[..known.len() - 3]).unwrap_err());
        assert_eq!(what, "its 'Segment' element");
        assert_eq!((at, expected), (known.len() as u64 - 3, known.len() as u64));
        let live = webm_bytes(Some(1000.0), 640, 480, true);
        let (what, _, _) = incomplete(probe_bytes(&live[..live.len() - 3]).unwrap_err());
        assert_eq!(what, "its 'Cluster' element");
        let header_only = ebml(&[0x1A, 0x45, 0xDF, 0xA3], &ebml(&[0x42, 0x82], b"webm"));
        assert!(matches!(
            probe_bytes(&header_only).unwrap_err(),
            ProbeError::NoIndex { .. }
        ));
    }

    #[test]
    fn webm_with_an_invalid_duration_is_damaged() {
        let bytes = webm_bytes(Some(f64::NAN), 640, 480, false);
        assert!(malformed(probe_bytes(&bytes).unwrap_err()).contains("invalid duration"));
        let bytes = webm_bytes(Some(-5.0), 640, 480, false);
        assert!(probe_bytes(&bytes).is_err());
    }

    #[test]
    fn images_give_their_size_and_no_duration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        fixture::write_jpeg(&path).unwrap();
        let p = probe(&path).unwrap();
        assert_eq!(p.container, Container::Jpeg);
        assert_eq!(
            (p.width, p.height, p.duration_secs),
            (Some(1080), Some(1350), None)
        );
        let p = probe_bytes(&png_bytes(640, 480)).unwrap();
        assert_eq!(
            (p.container, p.width, p.height),
            (Container::Png, Some(640), Some(480))
        );
        assert_eq!(p.container.mime(), "image/png");
        let p = probe_bytes(&gif_bytes(320, 200)).unwrap();
        assert_eq!(
            (p.container, p.width, p.height),
            (Container::Gif, Some(320), Some(200))
        );
        assert!(p.container.is_image() && !p.container.is_video());
        assert_eq!(Container::Jpeg.mime(), "image/jpeg");
        assert_eq!(Container::Gif.mime(), "image/gif");
    }

    #[test]
    fn jpeg_exif_orientation_turns_the_size() {
        // Stored landscape, shown portrait (orientation 6: rotate 90°).
        let p = probe_bytes(&jpeg_bytes(4032, 3024, Some(6))).unwrap();
        assert_eq!((p.width, p.height), (Some(3024), Some(4032)));
        let p = probe_bytes(&jpeg_bytes(4032, 3024, Some(1))).unwrap();
        assert_eq!((p.width, p.height), (Some(4032), Some(3024)));
    }

    #[test]
    fn image_headers_cut_short_give_no_size_rather_than_an_error() {
        let jpeg = jpeg_bytes(1080, 1350, None);
        for n in [3, 4, 10, 30] {
            let p = probe_bytes(&jpeg[..n]).unwrap();
            assert_eq!((p.container, p.width), (Container::Jpeg, None));
        }
        let p = probe_bytes(&png_bytes(640, 480)[..20]).unwrap();
        assert_eq!((p.container, p.width), (Container::Png, None));
        let p = probe_bytes(b"GIF89a").unwrap();
        assert_eq!((p.container, p.width), (Container::Gif, None));
    }

    #[test]
    fn signatures_win_over_an_implausible_ftyp() {
        // Found by the fuzzer: JPEG's magic, then "ftyp" where a box type would sit. As a
        // box, its size would be 4 GB: no real ftyp is, so it is a JPEG.
        let bytes = [
            0xFF, 0xD8, 0xFF, 0xE0, b'f', b't', b'y', b'p', b'm', b's', b'f', b'1', b'9',
        ];
        assert_eq!(probe_bytes(&bytes).unwrap().container, Container::Jpeg);
        // An ftyp box smaller than its own fields is not one either.
        let mut tiny = boxed(b"ftyp", b"qt  ");
        tiny.extend_from_slice(&[0; 8]);
        assert_eq!(probe_bytes(&tiny).unwrap().container, Container::Unknown);
    }

    #[test]
    fn garbage_heif_and_text_are_unknown_not_errors() {
        let heic = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
        for bytes in [
            b"hello, this is not a video".as_slice(),
            &[0u8; 64],
            &[0xFF],
            heic.as_slice(),
            b"\x1a\x45",
        ] {
            let p = probe_bytes(bytes).unwrap();
            assert_eq!(p.container, Container::Unknown, "{bytes:?}");
            assert_eq!(p.bytes, bytes.len() as u64);
            assert!(!p.container.is_video() && !p.container.is_image());
            assert_eq!(p.container.mime(), "application/octet-stream");
        }
    }

    #[test]
    fn empty_missing_and_directory_paths_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.mp4");
        std::fs::write(&empty, b"").unwrap();
        let e = probe(&empty).unwrap_err();
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            ("media.empty_file", "the file is empty (0 bytes)")
        );
        let missing = dir.path().join("missing.mp4");
        let e = probe(&missing).unwrap_err();
        assert_eq!(e.code(), "media.io");
        assert!(!e.is_file_problem());
        assert!(e.to_string().contains("missing.mp4"), "{e}");
        let e = probe(dir.path()).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn a_reader_shorter_than_its_stated_length_is_an_io_error() {
        // moov last: the probe must read past what the reader really has.
        let bytes = mp4(&Mp4Fixture {
            moov_last: true,
            ..Mp4Fixture::new(3, 5_000)
        });
        let e = probe_reader(Cursor::new(&bytes[..1000]), 5_000).unwrap_err();
        assert_eq!(e.code(), "media.io");
        assert_eq!(
            e.to_string().split(':').next(),
            Some("cannot read the file")
        );
    }

    /// Seeds for the `mp4_probe` fuzz target (docs/fuzzing.md), written into the folder
    /// named by `OUTPOST_FUZZ_SEEDS`: one small file per layout the probe knows.
    #[test]
    #[ignore = "writes fuzz seeds into $OUTPOST_FUZZ_SEEDS; run with --ignored"]
    fn write_fuzz_seeds() {
        let dir = std::path::PathBuf::from(
            std::env::var_os("OUTPOST_FUZZ_SEEDS").expect("set OUTPOST_FUZZ_SEEDS to a folder"),
        );
        std::fs::create_dir_all(&dir).unwrap();
        let small = |f: Mp4Fixture| {
            mp4(&Mp4Fixture {
                total_bytes: 1200,
                ..f
            })
        };
        let base = Mp4Fixture::new(30, 1200);
        let moov_last = small(Mp4Fixture {
            moov_last: true,
            ..base.clone()
        });
        let mut fragmented = boxed(b"ftyp", b"iso5\0\0\x02\0iso5");
        let mut mvhd = vec![0; 12];
        mvhd.extend_from_slice(&1000u32.to_be_bytes());
        mvhd.extend_from_slice(&[0; 84]);
        let mut moov = boxed(b"mvhd", &mvhd);
        moov.extend(boxed(
            b"mvex",
            &boxed(b"mehd", &[0, 0, 0, 0, 0, 0, 0x75, 0x30]),
        ));
        fragmented.extend(boxed(b"moov", &moov));
        fragmented.extend(boxed(b"moof", &[0; 16]));
        fragmented.extend(boxed(b"mdat", &[7; 32]));
        let seeds: Vec<(&str, Vec<u8>)> = vec![
            ("mp4_moov_first", small(base.clone())),
            ("mp4_moov_last", moov_last.clone()),
            ("mp4_cut_in_mdat", moov_last[..700].to_vec()),
            (
                "mp4_large_mdat_mvhd_v1",
                small(Mp4Fixture {
                    large_mdat: true,
                    mvhd_v1: true,
                    ..base.clone()
                }),
            ),
            (
                "mov_rotated",
                small(Mp4Fixture {
                    brand: *b"qt  ",
                    rotate_90: true,
                    ..base.clone()
                }),
            ),
            ("mp4_fragmented", fragmented),
            ("webm", webm_bytes(Some(12_345.0), 1280, 720, false)),
            ("webm_live", webm_bytes(None, 640, 480, true)),
            ("jpeg_exif", jpeg_bytes(4032, 3024, Some(6))),
            ("jpeg", jpeg_bytes(1080, 1350, None)),
            ("png", png_bytes(640, 480)),
            ("gif", gif_bytes(320, 200)),
        ];
        for (name, bytes) in seeds {
            probe_bytes(&bytes).ok();
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }

    #[test]
    fn errors_become_payloads_with_stable_codes() {
        let e = ProbeError::Incomplete {
            what: "its 'mdat' box".into(),
            at: 1_000,
            expected: 5_000_000,
        };
        let payload = e.to_payload();
        assert_eq!(payload.code, "media.incomplete");
        assert!(payload
            .message
            .starts_with("the file ends inside its 'mdat' box at byte 1,000 of 5,000,000"));
    }
}

//! Media files for tests and benchmarks (not part of the engine's API).
//!
//! [`write_mp4`] writes a structurally valid MP4: `ftyp`, then `moov` (`mvhd`, an audio
//! `trak` and a video `trak`, each with `tkhd` and `mdia/mdhd`+`hdlr`: enough for
//! [`probe`](super::probe::probe), not for a player, as there is no sample table), then an `mdat` of
//! deterministic pseudo-random bytes padding the file to exactly the size asked for. It is
//! streamed in constant memory, so a 2 GiB or 5 GiB file costs no more memory than a small
//! one (past 4 GiB, `mdat` gets a 64-bit size). The image and WebM builders return small
//! byte vectors with just the headers the probe reads.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Pseudo-random padding is written in pieces of this size.
const CHUNK: usize = 64 * 1024;

/// An MP4 (or MOV) to write; [`Mp4Fixture::new`] gives a 1080×1920 portrait MP4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mp4Fixture {
    /// Duration written in `mvhd`, in seconds (timescale 1000).
    pub duration_secs: u32,
    /// Exact size of the file.
    pub total_bytes: u64,
    /// `moov` after `mdat` (as cameras write it) instead of before (fast start).
    pub moov_last: bool,
    /// A 64-bit `largesize` header on `mdat` even when 32 bits would do.
    pub large_mdat: bool,
    /// `mvhd` version 1 (64-bit times and duration).
    pub mvhd_v1: bool,
    /// Displayed width.
    pub width: u32,
    /// Displayed height.
    pub height: u32,
    /// Store the picture turned (width and height swapped, with a 90° matrix), as phones do.
    pub rotate_90: bool,
    /// The `ftyp` major brand (`qt  ` makes a MOV).
    pub brand: [u8; 4],
}

impl Mp4Fixture {
    /// A 1080×1920 MP4 of `duration_secs` seconds and exactly `total_bytes` bytes.
    pub fn new(duration_secs: u32, total_bytes: u64) -> Self {
        Mp4Fixture {
            duration_secs,
            total_bytes,
            moov_last: false,
            large_mdat: false,
            mvhd_v1: false,
            width: 1080,
            height: 1920,
            rotate_90: false,
            brand: *b"isom",
        }
    }

    /// Write the file at `path`.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        self.write_file(path, None)
    }

    /// Write only the first `written_bytes` of the file (a download cut off).
    pub fn write_truncated(&self, path: &Path, written_bytes: u64) -> io::Result<()> {
        self.write_file(path, Some(written_bytes))
    }

    /// The whole file in memory (for small files in tests and fuzz seeds).
    pub fn to_bytes(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out, None)?;
        Ok(out)
    }

    fn write_file(&self, path: &Path, cut: Option<u64>) -> io::Result<()> {
        let mut w = BufWriter::with_capacity(CHUNK, File::create(path)?);
        self.write_to(&mut w, cut)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    }

    /// Stream the file into `w`, stopping after `cut` bytes when given.
    pub fn write_to(&self, w: impl Write, cut: Option<u64>) -> io::Result<()> {
        let mut w = Cut {
            inner: w,
            left: cut.unwrap_or(u64::MAX),
        };
        let ftyp = self.ftyp();
        let moov = self.moov();
        let fixed = (ftyp.len() + moov.len()) as u64;
        let too_small = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("an MP4 fixture needs at least {} bytes", fixed + 16),
            )
        };
        let body_and_header = self.total_bytes.checked_sub(fixed).ok_or_else(too_small)?;
        let large = self.large_mdat || body_and_header > u64::from(u32::MAX);
        let header = if large { 16 } else { 8 };
        let payload = body_and_header.checked_sub(header).ok_or_else(too_small)?;
        w.write_all(&ftyp)?;
        if !self.moov_last {
            w.write_all(&moov)?;
        }
        if large {
            w.write_all(&1u32.to_be_bytes())?;
            w.write_all(b"mdat")?;
            w.write_all(&body_and_header.to_be_bytes())?;
        } else {
            w.write_all(&(body_and_header as u32).to_be_bytes())?;
            w.write_all(b"mdat")?;
        }
        let mut rng = 0x9E37_79B9_7F4A_7C15u64;
        let mut buf = vec![0u8; CHUNK];
        let mut left = payload;
        while left > 0 && w.left > 0 {
            for word in buf.chunks_exact_mut(8) {
                // xorshift64*
                rng ^= rng >> 12;
                rng ^= rng << 25;
                rng ^= rng >> 27;
                word.copy_from_slice(&rng.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
            }
            let n = left.min(CHUNK as u64) as usize;
            w.write_all(&buf[..n])?;
            left -= n as u64;
        }
        if self.moov_last {
            w.write_all(&moov)?;
        }
        w.inner.flush()
    }

    fn ftyp(&self) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&self.brand);
        p.extend_from_slice(&0x200u32.to_be_bytes());
        p.extend_from_slice(&self.brand);
        if &self.brand != b"qt  " {
            p.extend_from_slice(b"isommp41");
        }
        boxed(b"ftyp", &p)
    }

    fn duration_ms(&self) -> u64 {
        u64::from(self.duration_secs) * 1000
    }

    fn moov(&self) -> Vec<u8> {
        let mut p = self.mvhd();
        p.extend(self.trak(1, b"soun", 0, 0, false));
        let (w, h) = if self.rotate_90 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        };
        p.extend(self.trak(2, b"vide", w, h, self.rotate_90));
        boxed(b"moov", &p)
    }

    fn mvhd(&self) -> Vec<u8> {
        let d = self.duration_ms();
        let mut p = Vec::new();
        if self.mvhd_v1 || d > u64::from(u32::MAX) {
            p.extend_from_slice(&[1, 0, 0, 0]);
            p.extend_from_slice(&[0; 16]); // creation, modification
            p.extend_from_slice(&1000u32.to_be_bytes());
            p.extend_from_slice(&d.to_be_bytes());
        } else {
            p.extend_from_slice(&[0; 12]); // version/flags, creation, modification
            p.extend_from_slice(&1000u32.to_be_bytes());
            p.extend_from_slice(&(d as u32).to_be_bytes());
        }
        p.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
        p.extend_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
        p.extend_from_slice(&[0; 10]);
        p.extend(matrix(false));
        p.extend_from_slice(&[0; 24]);
        p.extend_from_slice(&3u32.to_be_bytes()); // next track id
        boxed(b"mvhd", &p)
    }

    fn trak(&self, id: u32, handler: &[u8; 4], w: u32, h: u32, turned: bool) -> Vec<u8> {
        let d = self.duration_ms().min(u64::from(u32::MAX)) as u32;
        let mut tkhd = vec![0, 0, 0, 3]; // version 0, enabled + in movie
        tkhd.extend_from_slice(&[0; 8]); // creation, modification
        tkhd.extend_from_slice(&id.to_be_bytes());
        tkhd.extend_from_slice(&[0; 4]);
        tkhd.extend_from_slice(&d.to_be_bytes());
        tkhd.extend_from_slice(&[0; 8]);
        tkhd.extend_from_slice(&[0; 4]); // layer, alternate group
        let volume: u16 = if handler == b"soun" { 0x0100 } else { 0 };
        tkhd.extend_from_slice(&volume.to_be_bytes());
        tkhd.extend_from_slice(&[0; 2]);
        tkhd.extend(matrix(turned));
        tkhd.extend_from_slice(&(w << 16).to_be_bytes());
        tkhd.extend_from_slice(&(h << 16).to_be_bytes());

        let mut mdhd = vec![0; 12];
        mdhd.extend_from_slice(&1000u32.to_be_bytes());
        mdhd.extend_from_slice(&d.to_be_bytes());
        mdhd.extend_from_slice(&[0x55, 0xC4, 0, 0]); // language "und", quality
        let mut hdlr = vec![0; 8];
        hdlr.extend_from_slice(handler);
        hdlr.extend_from_slice(&[0; 12]);
        hdlr.extend_from_slice(if handler == b"vide" {
            b"VideoHandler\0"
        } else {
            b"SoundHandler\0"
        });
        let mut mdia = boxed(b"mdhd", &mdhd);
        mdia.extend(boxed(b"hdlr", &hdlr));

        let mut trak = boxed(b"tkhd", &tkhd);
        trak.extend(boxed(b"mdia", &mdia));
        boxed(b"trak", &trak)
    }
}

/// A writer that keeps the first `left` bytes and drops the rest.
struct Cut<W> {
    inner: W,
    left: u64,
}

impl<W: Write> Write for Cut<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let keep = usize::try_from(self.left).map_or(buf.len(), |l| l.min(buf.len()));
        self.inner.write_all(&buf[..keep])?;
        self.left -= keep as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The identity matrix, or a 90° turn.
fn matrix(turned: bool) -> Vec<u8> {
    let m: [u32; 9] = if turned {
        [0, 0x0001_0000, 0, 0xFFFF_0000, 0, 0, 0, 0, 0x4000_0000]
    } else {
        [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000]
    };
    m.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// An ISO-BMFF box with a 32-bit size.
pub fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(payload.len() + 8);
    b.extend_from_slice(&(payload.len() as u32 + 8).to_be_bytes());
    b.extend_from_slice(kind);
    b.extend_from_slice(payload);
    b
}

/// Write a 1080×1920 MP4 of `duration_secs` seconds and exactly `total_bytes` bytes,
/// `moov` first.
pub fn write_mp4(path: &Path, duration_secs: u32, total_bytes: u64) -> io::Result<()> {
    Mp4Fixture::new(duration_secs, total_bytes).write(path)
}

/// The same file as [`write_mp4`] with `moov` after `mdat`.
pub fn write_mp4_moov_last(path: &Path, duration_secs: u32, total_bytes: u64) -> io::Result<()> {
    Mp4Fixture {
        moov_last: true,
        ..Mp4Fixture::new(duration_secs, total_bytes)
    }
    .write(path)
}

/// The first `written_bytes` of what [`write_mp4`] writes for `duration_secs` and
/// `total_bytes`: a download cut off inside `mdat`.
pub fn write_truncated_mp4(
    path: &Path,
    duration_secs: u32,
    total_bytes: u64,
    written_bytes: u64,
) -> io::Result<()> {
    Mp4Fixture::new(duration_secs, total_bytes).write_truncated(path, written_bytes)
}

/// Write a 1080×1350 (4:5) JPEG: headers only (no image data a decoder could show).
pub fn write_jpeg(path: &Path) -> io::Result<()> {
    std::fs::write(path, jpeg_bytes(1080, 1350, None))
}

/// A JPEG's headers: SOI, JFIF, optional EXIF orientation, a quantisation table, the frame
/// header (SOF0) with `width`×`height` as stored, a scan header and EOI.
pub fn jpeg_bytes(width: u16, height: u16, orientation: Option<u16>) -> Vec<u8> {
    let segment = |marker: u8, payload: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        s.extend_from_slice(payload);
        s
    };
    let mut out = vec![0xFF, 0xD8];
    out.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    if let Some(o) = orientation {
        // Big-endian TIFF, IFD0 at 8 with one entry: Orientation (SHORT, 1 value).
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
        exif.extend_from_slice(&o.to_be_bytes());
        exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        out.extend(segment(0xE1, &exif));
    }
    let mut dqt = vec![0];
    dqt.extend_from_slice(&[1; 64]);
    out.extend(segment(0xDB, &dqt));
    let mut sof = vec![8];
    sof.extend_from_slice(&height.to_be_bytes());
    sof.extend_from_slice(&width.to_be_bytes());
    sof.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0]);
    out.extend(segment(0xC0, &sof));
    out.extend(segment(0xDA, &[3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0]));
    out.extend_from_slice(&[0x00, 0xFF, 0xD9]);
    out
}

/// A PNG's signature, `IHDR` (8-bit RGB) and `IEND`, with correct CRCs.
pub fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        c.extend_from_slice(&crc_input);
        c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        c
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// A GIF89a header (logical screen `width`×`height`) and trailer.
pub fn gif_bytes(width: u16, height: u16) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, b';']);
    out
}

/// A WebM: EBML header (DocType `webm`), then a `Segment` (of unknown size when
/// `live`, as browsers record) with `Info` (millisecond timestamps, `Duration` when given),
/// `Tracks` (an audio track, then a VP9 video track of `width`×`height`) and one `Cluster`.
pub fn webm_bytes(duration_ms: Option<f64>, width: u32, height: u32, live: bool) -> Vec<u8> {
    let mut out = ebml(&[0x1A, 0x45, 0xDF, 0xA3], &ebml(&[0x42, 0x82], b"webm"));
    let mut info = ebml(&[0x2A, 0xD7, 0xB1], &1_000_000u32.to_be_bytes());
    if let Some(d) = duration_ms {
        info.extend(ebml(&[0x44, 0x89], &d.to_be_bytes()));
    }
    let mut audio = ebml(&[0xD7], &[1]);
    audio.extend(ebml(&[0x83], &[2]));
    let mut video = ebml(&[0xD7], &[2]);
    video.extend(ebml(&[0x83], &[1]));
    video.extend(ebml(&[0x86], b"V_VP9"));
    let mut pixels = ebml(&[0xB0], &width.to_be_bytes());
    pixels.extend(ebml(&[0xBA], &height.to_be_bytes()));
    video.extend(ebml(&[0xE0], &pixels));
    let mut tracks = ebml(&[0xAE], &audio);
    tracks.extend(ebml(&[0xAE], &video));
    let mut segment = ebml(&[0x15, 0x49, 0xA9, 0x66], &info);
    segment.extend(ebml(&[0x16, 0x54, 0xAE, 0x6B], &tracks));
    segment.extend(ebml(
        &[0x1F, 0x43, 0xB6, 0x75],
        &[0xE7, 0x81, 0x00, 0xA3, 0x84, 0x81, 0, 0, 0x80],
    ));
    let id = [0x18, 0x53, 0x80, 0x67];
    if live {
        out.extend_from_slice(&id);
        out.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        out.extend(segment);
    } else {
        out.extend(ebml(&id, &segment));
    }
    out
}

/// An EBML element with an 8-byte size.
pub fn ebml(id: &[u8], data: &[u8]) -> Vec<u8> {
    let mut e = id.to_vec();
    e.push(0x01);
    e.extend_from_slice(&(data.len() as u64).to_be_bytes()[1..]);
    e.extend_from_slice(data);
    e
}

/// CRC-32 (IEEE), bit by bit: only for the few bytes of a PNG fixture.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mp4_fixture_has_exactly_the_size_asked_for_in_either_layout() {
        for moov_last in [false, true] {
            for large_mdat in [false, true] {
                let f = Mp4Fixture {
                    moov_last,
                    large_mdat,
                    ..Mp4Fixture::new(12, 100_000)
                };
                let bytes = f.to_bytes().unwrap();
                assert_eq!(bytes.len(), 100_000);
                assert_eq!(&bytes[4..8], b"ftyp");
            }
        }
        assert!(Mp4Fixture::new(1, 100).to_bytes().is_err());
    }

    #[test]
    fn mp4_fixture_is_deterministic_and_truncation_keeps_a_prefix() {
        let f = Mp4Fixture::new(5, 200_000);
        let whole = f.to_bytes().unwrap();
        assert_eq!(whole, f.to_bytes().unwrap());
        let mut cut = Vec::new();
        f.write_to(&mut cut, Some(150_001)).unwrap();
        assert_eq!(cut, whole[..150_001]);
    }

    #[test]
    fn png_crc_matches_the_reference_value() {
        // CRC-32 of "IEND" with no data, as in every PNG.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }
}

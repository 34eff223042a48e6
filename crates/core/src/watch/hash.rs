//! Content hashing: BLAKE3 over the file, streamed in constant memory.

use std::io::Read;
use std::path::Path;

use super::WatchError;

/// A file's content hash and the size that was hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHash {
    /// Lowercase hex BLAKE3 hash.
    pub hex: String,
    /// Bytes hashed.
    pub len: u64,
}

const BUFFER: usize = 64 * 1024;

/// Hash `path` with BLAKE3, reading it in fixed-size chunks (blocking: call it from
/// `spawn_blocking`).
pub fn hash_file(path: &Path) -> Result<FileHash, WatchError> {
    let mut file = std::fs::File::open(path).map_err(|e| WatchError::io(path, e))?;
    hash_reader(&mut file).map_err(|e| WatchError::io(path, e))
}

/// Hash everything `reader` yields, in fixed-size chunks.
pub fn hash_reader(reader: &mut impl Read) -> std::io::Result<FileHash> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; BUFFER];
    let mut len = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok(FileHash {
        hex: hasher.finalize().to_hex().to_string(),
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_hash_equals_one_shot_hash() {
        // Larger than the buffer and not a multiple of it.
        let data: Vec<u8> = (0..(3 * BUFFER + 17)).map(|i| (i % 251) as u8).collect();
        let streamed = hash_reader(&mut data.as_slice()).unwrap();
        assert_eq!(streamed.hex, blake3::hash(&data).to_hex().to_string());
        assert_eq!(streamed.len, data.len() as u64);
    }

    #[test]
    fn hashing_a_file_names_it_when_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.mp4");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            hash_file(&path).unwrap().hex,
            blake3::hash(b"abc").to_hex().to_string()
        );
        let err = hash_file(&dir.path().join("gone.mp4")).unwrap_err();
        assert!(err.to_string().contains("gone.mp4"), "{err}");
    }
}

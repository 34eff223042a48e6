//! Deterministic pseudo-randomness: every "random" value the sandbox produces (ids,
//! tokens, fault decisions, synthetic metrics) is a pure function of the seed and a
//! label, so two runs with the same seed and the same requests answer identically.
//! Owns: the mixing function and the id/token alphabet. Never reads the OS RNG.

/// SplitMix64 finaliser: a cheap, well-mixed 64-bit hash step.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a seed and a textual label (FNV-1a over the label, then mixed with the seed).
pub fn hash_str(seed: u64, label: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix64(h ^ mix64(seed))
}

/// A uniform value in `[0, 1)` for `(seed, label)`.
pub fn unit(seed: u64, label: &str) -> f64 {
    (hash_str(seed, label) >> 11) as f64 / (1u64 << 53) as f64
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A deterministic alphanumeric string of `len` characters for `(seed, label)`.
pub fn alnum(seed: u64, label: &str, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut state = hash_str(seed, label);
    while out.len() < len {
        state = mix64(state);
        let mut s = state;
        for _ in 0..8 {
            if out.len() == len {
                break;
            }
            out.push(ALNUM[(s % ALNUM.len() as u64) as usize] as char);
            s /= ALNUM.len() as u64;
        }
    }
    out
}

/// A deterministic decimal id of `len` digits (no leading zero) for `(seed, label)`.
pub fn digits(seed: u64, label: &str, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut state = hash_str(seed, label);
    while out.len() < len {
        state = mix64(state);
        let d = (state % 10) as u8;
        if out.is_empty() && d == 0 {
            out.push('1');
        } else {
            out.push((b'0' + d) as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_label_give_same_values() {
        assert_eq!(alnum(7, "x", 20), alnum(7, "x", 20));
        assert_ne!(alnum(7, "x", 20), alnum(8, "x", 20));
        assert_ne!(alnum(7, "x", 20), alnum(7, "y", 20));
        assert_eq!(alnum(1, "a", 33).len(), 33);
        let d = digits(3, "id", 17);
        assert_eq!(d.len(), 17);
        assert!(d.chars().all(|c| c.is_ascii_digit()));
        assert!(!d.starts_with('0'));
    }

    #[test]
    fn unit_is_in_range() {
        for i in 0..1000 {
            let u = unit(42, &i.to_string());
            assert!((0.0..1.0).contains(&u));
        }
    }
}

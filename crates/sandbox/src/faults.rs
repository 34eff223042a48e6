//! Fault injection: what to break, parsed from a compact spec, and the deterministic
//! per-request decision (a pure function of the seed and the request's sequence number).
//!
//! # Spec syntax
//!
//! A comma-separated list of items; whitespace around items is ignored; an empty spec
//! or `none` means no faults.
//!
//! | item | effect |
//! | --- | --- |
//! | `latency=50ms` | delay every platform response (`ms`, `s`; a bare number is ms) |
//! | `5xx=0.1` | this fraction of platform requests answers the platform's 5xx error |
//! | `drop=0.05` | this fraction of responses is cut mid-body (connection aborted) |
//! | `429burst=3` | the next 3 API requests per platform are throttled (platform's 429 / throttle error) |
//! | `expire_tokens` | the first API use of a login token (code exchange; Instagram long-lived exchange) fails as expired, once per account after the spec is applied |
//! | `revoke_tokens` | the same, but revoked, and its refresh token is revoked too |
//! | `container_error` | Instagram containers end in `ERROR` instead of `FINISHED` |
//! | `publish_fail` | TikTok publishes end in `FAILED` (`fail_reason` `internal`) |
//!
//! Example: `latency=50ms,5xx=0.1,drop=0.05,429burst=3,expire_tokens,container_error`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::det;

/// The faults to inject. `Default` injects nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// Added delay before every platform response.
    #[serde(with = "duration_ms")]
    pub latency: Duration,
    /// Fraction (0..=1) of platform requests answered with a 5xx.
    pub error_5xx: f64,
    /// Fraction (0..=1) of responses whose body is cut mid-way.
    pub drop: f64,
    /// Number of throttled API requests per platform, from when the spec is applied.
    pub burst_429: u32,
    /// A login token fails as expired on its first API use (once per account).
    pub expire_tokens: bool,
    /// A login token (and its refresh token) fails as revoked on its first API use (once per account).
    pub revoke_tokens: bool,
    /// Instagram containers end in `ERROR`.
    pub container_error: bool,
    /// TikTok publishes end in `FAILED`.
    pub publish_fail: bool,
}

mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// Why a fault spec could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaultSpecError {
    /// The item's name is not one of the documented faults.
    #[error("unknown fault `{0}` (expected latency, 5xx, drop, 429burst, expire_tokens, revoke_tokens, container_error, publish_fail)")]
    UnknownItem(String),
    /// The item needs a value (`name=value`).
    #[error("fault `{0}` needs a value, e.g. `{0}=...`")]
    MissingValue(String),
    /// The item takes no value.
    #[error("fault `{0}` takes no value")]
    UnexpectedValue(String),
    /// The value could not be parsed.
    #[error("invalid value `{value}` for fault `{item}`: {reason}")]
    InvalidValue {
        /// The fault name.
        item: String,
        /// The offending value.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
}

fn parse_rate(item: &str, value: &str) -> Result<f64, FaultSpecError> {
    let invalid = || FaultSpecError::InvalidValue {
        item: item.to_string(),
        value: value.to_string(),
        reason: "expected a fraction between 0 and 1",
    };
    let rate: f64 = value.parse().map_err(|_| invalid())?;
    if !(0.0..=1.0).contains(&rate) || rate.is_nan() {
        return Err(invalid());
    }
    Ok(rate)
}

fn parse_duration(item: &str, value: &str) -> Result<Duration, FaultSpecError> {
    let invalid = || FaultSpecError::InvalidValue {
        item: item.to_string(),
        value: value.to_string(),
        reason: "expected a duration such as 50ms or 2s",
    };
    let (number, scale) = if let Some(n) = value.strip_suffix("ms") {
        (n, 1u64)
    } else if let Some(n) = value.strip_suffix('s') {
        (n, 1000u64)
    } else {
        (value, 1u64)
    };
    let n: u64 = number.trim().parse().map_err(|_| invalid())?;
    let ms = n.checked_mul(scale).ok_or_else(invalid)?;
    if ms > 600_000 {
        return Err(invalid());
    }
    Ok(Duration::from_millis(ms))
}

impl FromStr for FaultSpec {
    type Err = FaultSpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut spec = FaultSpec::default();
        let trimmed = s.trim();
        if trimmed.is_empty() || trimmed == "none" {
            return Ok(spec);
        }
        for raw in trimmed.split(',') {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            let (name, value) = match raw.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (raw, None),
            };
            fn need<'a>(name: &str, v: Option<&'a str>) -> Result<&'a str, FaultSpecError> {
                v.ok_or_else(|| FaultSpecError::MissingValue(name.into()))
            }
            let flag = |v: Option<&str>| match v {
                None => Ok(true),
                Some(_) => Err(FaultSpecError::UnexpectedValue(name.into())),
            };
            match name {
                "latency" => spec.latency = parse_duration(name, need(name, value)?)?,
                "5xx" => spec.error_5xx = parse_rate(name, need(name, value)?)?,
                "drop" => spec.drop = parse_rate(name, need(name, value)?)?,
                "429burst" => {
                    let v = need(name, value)?;
                    spec.burst_429 = v.parse().map_err(|_| FaultSpecError::InvalidValue {
                        item: name.into(),
                        value: v.into(),
                        reason: "expected a whole number of requests",
                    })?;
                }
                "expire_tokens" => spec.expire_tokens = flag(value)?,
                "revoke_tokens" => spec.revoke_tokens = flag(value)?,
                "container_error" => spec.container_error = flag(value)?,
                "publish_fail" => spec.publish_fail = flag(value)?,
                other => return Err(FaultSpecError::UnknownItem(other.into())),
            }
        }
        Ok(spec)
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = Vec::new();
        if !self.latency.is_zero() {
            items.push(format!("latency={}ms", self.latency.as_millis()));
        }
        if self.error_5xx > 0.0 {
            items.push(format!("5xx={}", self.error_5xx));
        }
        if self.drop > 0.0 {
            items.push(format!("drop={}", self.drop));
        }
        if self.burst_429 > 0 {
            items.push(format!("429burst={}", self.burst_429));
        }
        for (on, name) in [
            (self.expire_tokens, "expire_tokens"),
            (self.revoke_tokens, "revoke_tokens"),
            (self.container_error, "container_error"),
            (self.publish_fail, "publish_fail"),
        ] {
            if on {
                items.push(name.to_string());
            }
        }
        if items.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&items.join(","))
        }
    }
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Serve normally.
    Pass,
    /// Answer the platform's 5xx.
    ServerError,
    /// Serve, then cut the response body.
    Drop,
}

impl FaultSpec {
    /// The decision for the request with sequence number `n` (deterministic under `seed`).
    pub fn decide(&self, seed: u64, n: u64) -> Decision {
        if self.error_5xx > 0.0 && det::unit(seed, &format!("5xx:{n}")) < self.error_5xx {
            return Decision::ServerError;
        }
        if self.drop > 0.0 && det::unit(seed, &format!("drop:{n}")) < self.drop {
            return Decision::Drop;
        }
        Decision::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_full_example() {
        let spec: FaultSpec =
            "latency=50ms,5xx=0.1,drop=0.05,429burst=3,expire_tokens,container_error"
                .parse()
                .unwrap();
        assert_eq!(spec.latency, Duration::from_millis(50));
        assert_eq!(spec.error_5xx, 0.1);
        assert_eq!(spec.drop, 0.05);
        assert_eq!(spec.burst_429, 3);
        assert!(spec.expire_tokens && spec.container_error);
        assert!(!spec.revoke_tokens && !spec.publish_fail);
        let again: FaultSpec = spec.to_string().parse().unwrap();
        assert_eq!(again, spec);
    }

    #[test]
    fn empty_and_none_mean_no_faults() {
        assert_eq!("".parse::<FaultSpec>().unwrap(), FaultSpec::default());
        assert_eq!(" none ".parse::<FaultSpec>().unwrap(), FaultSpec::default());
        assert_eq!(FaultSpec::default().to_string(), "none");
    }

    #[test]
    fn durations_accept_seconds_and_bare_milliseconds() {
        assert_eq!(
            "latency=2s".parse::<FaultSpec>().unwrap().latency,
            Duration::from_secs(2)
        );
        assert_eq!(
            "latency=7".parse::<FaultSpec>().unwrap().latency,
            Duration::from_millis(7)
        );
    }

    #[test]
    fn rejects_bad_items_with_a_clear_message() {
        let err = "lag=5".parse::<FaultSpec>().unwrap_err();
        assert!(err.to_string().contains("unknown fault `lag`"));
        assert!(matches!(
            "5xx=2".parse::<FaultSpec>(),
            Err(FaultSpecError::InvalidValue { .. })
        ));
        assert!(matches!(
            "5xx".parse::<FaultSpec>(),
            Err(FaultSpecError::MissingValue(_))
        ));
        assert!(matches!(
            "drop=abc".parse::<FaultSpec>(),
            Err(FaultSpecError::InvalidValue { .. })
        ));
        assert!(matches!(
            "expire_tokens=1".parse::<FaultSpec>(),
            Err(FaultSpecError::UnexpectedValue(_))
        ));
        assert!(matches!(
            "429burst=-1".parse::<FaultSpec>(),
            Err(FaultSpecError::InvalidValue { .. })
        ));
    }

    #[test]
    fn decisions_are_deterministic_and_follow_the_rate() {
        let spec: FaultSpec = "5xx=0.25".parse().unwrap();
        let a: Vec<_> = (0..400).map(|n| spec.decide(9, n)).collect();
        let b: Vec<_> = (0..400).map(|n| spec.decide(9, n)).collect();
        assert_eq!(a, b);
        let errors = a.iter().filter(|d| **d == Decision::ServerError).count();
        assert!((60..140).contains(&errors), "{errors} errors out of 400");
        assert!((0..100).all(|n| FaultSpec::default().decide(9, n) == Decision::Pass));
    }
}

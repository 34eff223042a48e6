//! Fuzzes the OAuth callback parser (`outpost_core::oauth::callback`): the code that reads
//! `outpost://oauth/callback?...` deep links and `http://127.0.0.1:PORT/callback?...`
//! loopback requests, i.e. text any web page or local process can hand to Outpost.
//!
//! It must never panic, and whatever it returns must keep these promises:
//!
//! * accepted: `state` non-empty, no control characters, at most `MAX_VALUE_LEN` bytes;
//!   a code is non-empty, has no control characters and never ends with Instagram's `#_`;
//!   a platform error is non-empty and free of control characters (its description too);
//!   `query` is the input query unchanged, and parsing it again gives the same result;
//! * refused: the message is short and never echoes the `code` value;
//! * inputs over `MAX_URL_LEN` are always refused as too long;
//! * a query made only of URL-safe characters parses the same on its own and inside a
//!   deep link or a loopback URL;
//! * parsing is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outpost_core::error::UserFacing;
use outpost_core::oauth::callback::{
    parse_query, parse_url, Callback, CallbackError, CallbackOutcome, MAX_URL_LEN, MAX_VALUE_LEN,
};

/// Longest error message a refused callback may produce (the longest template plus an
/// 80-character excerpt of the target).
const MAX_MESSAGE_CHARS: usize = 300;

/// Everything observable about a result, for equality checks (`Callback` has no `Eq`).
#[derive(Debug, PartialEq, Eq)]
enum Summary {
    Code {
        state: String,
        code: String,
        scopes: Option<String>,
    },
    Error {
        state: String,
        error: String,
        description: Option<String>,
    },
    Refused(CallbackError),
}

fn summary(result: &Result<Callback, CallbackError>) -> Summary {
    match result {
        Ok(cb) => match &cb.outcome {
            CallbackOutcome::Code { code, scopes } => Summary::Code {
                state: cb.state.clone(),
                code: code.expose().to_owned(),
                scopes: scopes.clone(),
            },
            CallbackOutcome::Error { error, description } => Summary::Error {
                state: cb.state.clone(),
                error: error.clone(),
                description: description.clone(),
            },
        },
        Err(e) => Summary::Refused(e.clone()),
    }
}

fn no_control(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

/// The invariants of an accepted callback.
fn check_accepted(cb: &Callback, input: &str) {
    assert!(!cb.state.is_empty(), "empty state accepted: {input:?}");
    assert!(no_control(&cb.state), "control char in state: {input:?}");
    assert!(cb.state.len() <= MAX_VALUE_LEN, "state too long: {input:?}");
    assert!(cb.query.len() <= MAX_URL_LEN, "query too long: {input:?}");
    match &cb.outcome {
        CallbackOutcome::Code { code, scopes } => {
            let code = code.expose();
            assert!(!code.is_empty(), "empty code accepted: {input:?}");
            assert!(no_control(code), "control char in code: {input:?}");
            assert!(!code.ends_with("#_"), "code ends with #_: {input:?}");
            assert!(code.len() <= MAX_VALUE_LEN, "code too long: {input:?}");
            if let Some(scopes) = scopes {
                assert!(no_control(scopes), "control char in scopes: {input:?}");
            }
        }
        CallbackOutcome::Error { error, description } => {
            assert!(!error.is_empty(), "empty error accepted: {input:?}");
            assert!(no_control(error), "control char in error: {input:?}");
            if let Some(d) = description {
                assert!(no_control(d), "control char in description: {input:?}");
            }
        }
    }
    // The raw query handed on must parse to the very same callback.
    let again = parse_query(&cb.query);
    assert_eq!(
        summary(&again),
        summary(&Ok(cb.clone())),
        "re-parsing the kept query differs: {input:?}"
    );
}

/// Percent-decoding as the parser documents it (`+` is a space); `None` if not decodable.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A refused query never shows a `code` value in its message. Only distinctive values are
/// checked (12+ ASCII alphanumerics), and not when the same text also sits in a parameter
/// name, which the message may legitimately quote.
fn check_no_code_echo(err: &CallbackError, query: &str, input: &str) {
    let message = err.to_string();
    let raw_keys: Vec<&str> = query
        .split('&')
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect();
    for pair in query.split('&') {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        if decode(k).as_deref() != Some("code") {
            continue;
        }
        let Some(value) = decode(v) else { continue };
        let value = value.trim_end_matches("#_");
        if value.len() < 12 || !value.bytes().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        if raw_keys.iter().any(|k| k.contains(value)) {
            continue;
        }
        assert!(
            !message.contains(value),
            "the error message echoes the code: {message:?} for {input:?}"
        );
    }
}

fn check_refused(err: &CallbackError, input: &str) {
    let message = err.to_string();
    assert!(!message.is_empty());
    assert!(
        message.chars().count() <= MAX_MESSAGE_CHARS,
        "message of {} chars for {input:?}",
        message.chars().count()
    );
    assert_eq!(err.code(), "oauth.bad_callback");
}

fn check_query(query: &str) -> Summary {
    let result = parse_query(query);
    match &result {
        Ok(cb) => {
            assert_eq!(cb.query, query, "query not kept unchanged");
            check_accepted(cb, query);
        }
        Err(e) => {
            check_refused(e, query);
            check_no_code_echo(e, query, query);
        }
    }
    if query.len() > MAX_URL_LEN {
        assert!(
            matches!(result, Err(CallbackError::TooLong(_))),
            "over-long query not refused as too long"
        );
    }
    let s = summary(&result);
    assert_eq!(
        summary(&parse_query(query)),
        s,
        "parse_query not deterministic"
    );
    s
}

fn check_url(input: &str) -> Summary {
    let result = parse_url(input);
    match &result {
        Ok(cb) => {
            check_accepted(cb, input);
            let url = url::Url::parse(input.trim()).expect("accepted input is a URL");
            assert!(
                matches!(url.scheme(), "outpost" | "http"),
                "accepted scheme {}: {input:?}",
                url.scheme()
            );
            assert_eq!(
                url.query().unwrap_or(""),
                cb.query,
                "query differs from the URL's"
            );
        }
        Err(e) => {
            check_refused(e, input);
            // A wrong target quotes scheme, host and path, never the query.
            let from_query = !matches!(e, CallbackError::WrongTarget(_));
            if let (true, Ok(url)) = (from_query, url::Url::parse(input.trim())) {
                if let Some(q) = url.query() {
                    check_no_code_echo(e, q, input);
                }
            }
        }
    }
    if input.trim().len() > MAX_URL_LEN {
        assert!(
            matches!(result, Err(CallbackError::TooLong(_))),
            "over-long URL not refused as too long"
        );
    }
    let s = summary(&result);
    assert_eq!(summary(&parse_url(input)), s, "parse_url not deterministic");
    s
}

/// Characters `url::Url` keeps as they are in a query, so the query reaches the parser
/// unchanged whether it came alone or inside a URL.
fn url_safe(q: &str) -> bool {
    q.bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"-._~%&=+!$()*,;:@/?".contains(&c))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;

    check_url(text);
    let alone = check_query(text);

    // The same query inside each kind of redirect reads the same.
    if url_safe(text) && text.len() + 40 <= MAX_URL_LEN {
        for prefix in [
            "outpost://oauth/callback?",
            "http://127.0.0.1:49152/callback?",
        ] {
            let inside = check_url(&format!("{prefix}{text}"));
            assert_eq!(
                inside, alone,
                "{prefix}{text:?} differs from the bare query"
            );
        }
    }
});

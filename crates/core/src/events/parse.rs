//! From a verified body to the events it carries, each with a stable id for dedupe.
//!
//! - TikTok: one envelope per delivery (`client_key`, `event`, `create_time`,
//!   `user_openid`, `content` — a JSON *string* parsed again). TikTok gives no event id:
//!   the id is a SHA-256 over `event`, `user_openid`, `create_time` and `content`, so a
//!   redelivery (at-least-once, retried for 72 h) maps to the same row.
//! - Instagram: `{"object": "instagram", "entry": [{"id", "time", "changes": [{"field",
//!   "value"}]}]}`, one event per change (`field`/`value` directly in the entry and
//!   `messaging[]` items are tolerated). A comment's id is `comment:<comment id>`; other
//!   changes get a SHA-256 over the entry id, time, field and value.
//!
//! Fields the processor relies on are checked here, so a signed but unusable payload is a
//! 400 at the door rather than a failure later. Error reasons never quote the body.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::EventsError;
use crate::platform::Platform;

/// One event ready to be stored in `platform_events`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// Platform.
    pub platform: Platform,
    /// Dedupe key, unique per platform.
    pub event_id: String,
    /// Event kind: TikTok's `event` (`post.publish.complete`…) or Instagram's `field`.
    pub kind: String,
    /// The platform user id the event is about (TikTok `user_openid`, Instagram account
    /// id), matched against `accounts.platform_user_id`.
    pub platform_user_id: Option<String>,
    /// What is stored in `payload_json`: the TikTok envelope as received, or one Instagram
    /// change with its entry's id and time.
    pub payload: Value,
}

/// Parses `content`, TikTok's JSON-in-a-string.
pub fn tiktok_content(envelope: &Value) -> Result<Map<String, Value>, String> {
    let text = envelope
        .get("content")
        .and_then(Value::as_str)
        .ok_or("`content` must be a JSON string")?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err("`content` is not a JSON object".into()),
    }
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

fn required_str<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("`{key}` is missing or not a string"))
}

/// A string or a number, as text (Meta documents ids as strings; tolerate numbers).
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The events of a verified TikTok body (always exactly one).
pub fn tiktok(body: &[u8]) -> Result<Vec<NewEvent>, EventsError> {
    let platform = Platform::Tiktok;
    let bad = |reason: String| EventsError::malformed(platform, reason);
    let envelope: Value =
        serde_json::from_slice(body).map_err(|_| bad("the body is not JSON".into()))?;
    if !envelope.is_object() {
        return Err(bad("the body is not a JSON object".into()));
    }
    let event = required_str(&envelope, "event").map_err(bad)?;
    let user = required_str(&envelope, "user_openid").map_err(bad)?;
    let create_time = envelope
        .get("create_time")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("`create_time` is missing or not an integer".into()))?;
    let content = tiktok_content(&envelope).map_err(bad)?;
    if event.starts_with("post.publish.") {
        let ok = content
            .get("publish_id")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty());
        if !ok {
            return Err(bad(format!("`{event}` content has no publish_id")));
        }
    }
    if event == "authorization.removed"
        && content
            .get("reason")
            .is_some_and(|r| !r.is_i64() && !r.is_null())
    {
        return Err(bad(
            "`authorization.removed` reason is not an integer".into()
        ));
    }
    let raw_content = envelope
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let id = sha256_hex(&[event, user, &create_time.to_string(), raw_content]);
    Ok(vec![NewEvent {
        platform,
        event_id: format!("tt:{id}"),
        kind: event.to_owned(),
        platform_user_id: Some(user.to_owned()),
        payload: envelope.clone(),
    }])
}

/// The events of a verified Instagram body (one per change).
pub fn instagram(body: &[u8]) -> Result<Vec<NewEvent>, EventsError> {
    let platform = Platform::Instagram;
    let bad = |reason: &str| EventsError::malformed(platform, reason);
    let root: Value = serde_json::from_slice(body).map_err(|_| bad("the body is not JSON"))?;
    match root.get("object").and_then(Value::as_str) {
        Some("instagram") => {}
        Some(_) => return Err(bad("`object` is not \"instagram\"")),
        None => return Err(bad("`object` is missing")),
    }
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| bad("`entry` is missing or empty"))?;
    let mut events = Vec::new();
    for entry in entries {
        let account = id_text(entry.get("id")).ok_or_else(|| bad("an entry has no `id`"))?;
        let time = entry
            .get("time")
            .and_then(Value::as_i64)
            .ok_or_else(|| bad("an entry has no integer `time`"))?;
        let mut changes: Vec<(String, Value)> = Vec::new();
        if let Some(list) = entry.get("changes") {
            let list = list
                .as_array()
                .ok_or_else(|| bad("`changes` is not an array"))?;
            for change in list {
                let field = required_str(change, "field").map_err(|r| bad(&r))?;
                let value = change
                    .get("value")
                    .ok_or_else(|| bad("a change has no `value`"))?;
                changes.push((field.to_owned(), value.clone()));
            }
        } else if let Some(field) = entry.get("field").and_then(Value::as_str) {
            let value = entry
                .get("value")
                .ok_or_else(|| bad("the entry has a `field` but no `value`"))?;
            changes.push((field.to_owned(), value.clone()));
        }
        if let Some(list) = entry.get("messaging") {
            let list = list
                .as_array()
                .ok_or_else(|| bad("`messaging` is not an array"))?;
            changes.extend(list.iter().map(|m| ("messaging".to_owned(), m.clone())));
        }
        if changes.is_empty() {
            return Err(bad("an entry carries no `changes`"));
        }
        for (field, value) in changes {
            let event_id = if field == "comments" || field == "live_comments" {
                let comment = id_text(value.get("id"))
                    .ok_or_else(|| bad("a comment change has no comment `id`"))?;
                if id_text(value.get("media").and_then(|m| m.get("id"))).is_none() {
                    return Err(bad("a comment change has no `media.id`"));
                }
                format!("comment:{comment}")
            } else {
                let hash = sha256_hex(&[&account, &time.to_string(), &field, &value.to_string()]);
                format!("{field}:{hash}")
            };
            events.push(NewEvent {
                platform,
                event_id,
                kind: field.clone(),
                platform_user_id: Some(account.clone()),
                payload: json!({
                    "object": "instagram",
                    "entry_id": account,
                    "time": time,
                    "field": field,
                    "value": value,
                }),
            });
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(e: EventsError) -> String {
        match e {
            EventsError::Malformed { reason, .. } => reason,
            other => panic!("not malformed: {other:?}"),
        }
    }

    #[test]
    fn tiktok_envelope_parses_and_its_id_is_stable() {
        let body = br#"{"client_key":"ck","event":"post.publish.complete","create_time":1700000000,"user_openid":"oid","content":"{\"publish_id\":\"v_pub_url~v2-1.1\",\"publish_type\":\"DIRECT_POST\"}"}"#;
        let a = tiktok(body).unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].kind, "post.publish.complete");
        assert_eq!(a[0].platform_user_id.as_deref(), Some("oid"));
        assert!(a[0].event_id.starts_with("tt:"));
        // Same event re-serialized (other key order, spaces): same id.
        let again = br#"{ "user_openid": "oid", "content": "{\"publish_id\":\"v_pub_url~v2-1.1\",\"publish_type\":\"DIRECT_POST\"}", "event": "post.publish.complete", "create_time": 1700000000, "client_key": "ck" }"#;
        assert_eq!(tiktok(again).unwrap()[0].event_id, a[0].event_id);
        // Another time: another event.
        let later = String::from_utf8_lossy(body).replace("1700000000", "1700000001");
        assert_ne!(tiktok(later.as_bytes()).unwrap()[0].event_id, a[0].event_id);
        assert_eq!(
            tiktok_content(&a[0].payload).unwrap()["publish_id"],
            "v_pub_url~v2-1.1"
        );
    }

    #[test]
    fn tiktok_malformed_bodies_are_refused_without_quoting_them() {
        let cases: [(&[u8], &str); 8] = [
            (b"not json secret-ish", "not JSON"),
            (b"[1,2]", "not a JSON object"),
            (br#"{"create_time":1,"user_openid":"o","content":"{}"}"#, "`event`"),
            (br#"{"event":"x","create_time":1,"content":"{}"}"#, "`user_openid`"),
            (br#"{"event":"x","user_openid":"o","content":"{}"}"#, "`create_time`"),
            (br#"{"event":"x","create_time":1,"user_openid":"o","content":{"a":1}}"#, "JSON string"),
            (br#"{"event":"x","create_time":1,"user_openid":"o","content":"nope"}"#, "not a JSON object"),
            (br#"{"event":"post.publish.failed","create_time":1,"user_openid":"o","content":"{\"reason\":\"x\"}"}"#, "publish_id"),
        ];
        for (body, expect) in cases {
            let r = reason(tiktok(body).unwrap_err());
            assert!(r.contains(expect), "{r}");
            assert!(!r.contains("secret-ish"));
        }
        let bad_reason = br#"{"event":"authorization.removed","create_time":1,"user_openid":"o","content":"{\"reason\":\"one\"}"}"#;
        assert!(reason(tiktok(bad_reason).unwrap_err()).contains("reason"));
    }

    #[test]
    fn instagram_changes_become_one_event_each() {
        let body = json!({
            "object": "instagram",
            "entry": [
                {"id": "178", "time": 1755779280, "changes": [
                    {"field": "comments", "value": {"id": "c1", "text": "nice!", "from": {"id": "9", "username": "fan"}, "media": {"id": "m1", "media_product_type": "FEED"}}},
                    {"field": "mentions", "value": {"media_id": "m9", "comment_id": "c9"}}
                ]},
                {"id": 179, "time": 1755779281, "field": "comments", "value": {"id": "c2", "media": {"id": "m2"}}},
                {"id": "178", "time": 1755779282, "messaging": [{"sender": {"id": "1"}, "message": {"mid": "x"}}]}
            ]
        })
        .to_string();
        let events = instagram(body.as_bytes()).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids[0], "comment:c1");
        assert!(ids[1].starts_with("mentions:"));
        assert_eq!(ids[2], "comment:c2");
        assert!(ids[3].starts_with("messaging:"));
        assert_eq!(events[2].platform_user_id.as_deref(), Some("179"));
        assert_eq!(events[0].payload["value"]["media"]["id"], "m1");
        assert_eq!(events[0].payload["time"], 1755779280);
        // Stable across deliveries.
        assert_eq!(instagram(body.as_bytes()).unwrap()[1].event_id, ids[1]);
    }

    #[test]
    fn instagram_malformed_bodies_are_refused() {
        let cases = [
            ("{", "not JSON"),
            (r#"{"entry":[]}"#, "`object`"),
            (r#"{"object":"page","entry":[]}"#, "\"instagram\""),
            (r#"{"object":"instagram","entry":[]}"#, "`entry`"),
            (
                r#"{"object":"instagram","entry":[{"time":1,"changes":[]}]}"#,
                "`id`",
            ),
            (
                r#"{"object":"instagram","entry":[{"id":"1","changes":[]}]}"#,
                "`time`",
            ),
            (
                r#"{"object":"instagram","entry":[{"id":"1","time":1}]}"#,
                "no `changes`",
            ),
            (
                r#"{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"value":{}}]}]}"#,
                "`field`",
            ),
            (
                r#"{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"field":"comments","value":{"media":{"id":"m"}}}]}]}"#,
                "comment `id`",
            ),
            (
                r#"{"object":"instagram","entry":[{"id":"1","time":1,"changes":[{"field":"comments","value":{"id":"c"}}]}]}"#,
                "`media.id`",
            ),
        ];
        for (body, expect) in cases {
            let r = reason(instagram(body.as_bytes()).unwrap_err());
            assert!(r.contains(expect), "{body}: {r}");
        }
    }
}

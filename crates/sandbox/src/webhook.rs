//! Webhook signing and delivery: TikTok's `TikTok-Signature: t=<ts>,s=<hex HMAC-SHA256
//! (client_secret, "<t>.<raw body>")>` and Meta's `X-Hub-Signature-256: sha256=<hex
//! HMAC-SHA256(app secret, raw body)>`. Events are queued in the state by the platform
//! modules and delivered here, before the response of the request that caused them.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Platform;
use crate::state::{Shared, WebhookRecord};

/// Why a webhook could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The target did not answer.
    #[error("webhook delivery failed: {0}")]
    Transport(#[from] reqwest::Error),
    /// No webhook target is configured.
    #[error("no webhook target is configured")]
    NoTarget,
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for HMAC-SHA256.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// TikTok's `s`: hex HMAC-SHA256 keyed with the client secret over `"<t>.<body>"`.
pub fn tiktok_signature(client_secret: &str, t: i64, body: &str) -> String {
    hmac_hex(client_secret.as_bytes(), format!("{t}.{body}").as_bytes())
}

/// The full `TikTok-Signature` header value.
pub fn tiktok_header(client_secret: &str, t: i64, body: &str) -> String {
    format!("t={t},s={}", tiktok_signature(client_secret, t, body))
}

/// Meta's `X-Hub-Signature-256` header value: `sha256=<hex>`.
pub fn meta_header(app_secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hmac_hex(app_secret.as_bytes(), body))
}

/// A signed TikTok event; `content` is serialised to a JSON *string* as TikTok does.
pub fn tiktok_event(
    client_key: &str,
    client_secret: &str,
    event: &str,
    now: i64,
    user_openid: &str,
    content: &serde_json::Value,
) -> WebhookRecord {
    let body = serde_json::json!({
        "client_key": client_key,
        "event": event,
        "create_time": now,
        "user_openid": user_openid,
        "content": content.to_string(),
    })
    .to_string();
    let header = tiktok_header(client_secret, now, &body);
    WebhookRecord {
        platform: Platform::TikTok,
        event: event.to_string(),
        body,
        signature_header: ("TikTok-Signature".to_string(), header),
        delivered_status: None,
    }
}

/// A signed Instagram change notification (`object: instagram`).
pub fn instagram_event(
    app_secret: &str,
    account_id: &str,
    now: i64,
    field: &str,
    value: &serde_json::Value,
) -> WebhookRecord {
    let body = serde_json::json!({
        "object": "instagram",
        "entry": [{"id": account_id, "time": now, "changes": [{"field": field, "value": value}]}],
    })
    .to_string();
    let header = meta_header(app_secret, body.as_bytes());
    WebhookRecord {
        platform: Platform::Instagram,
        event: field.to_string(),
        body,
        signature_header: ("X-Hub-Signature-256".to_string(), header),
        delivered_status: None,
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    record: &WebhookRecord,
) -> Result<u16, WebhookError> {
    let response = client
        .post(url)
        .header("Content-Type", "application/json")
        .header(
            record.signature_header.0.as_str(),
            record.signature_header.1.as_str(),
        )
        .body(record.body.clone())
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// Meta's subscription handshake: `GET url?hub.mode=subscribe&hub.challenge=C&
/// hub.verify_token=V`; the endpoint passes if it answers 200 with exactly `C`.
pub async fn meta_handshake(
    client: &reqwest::Client,
    url: &str,
    verify_token: &str,
    challenge: &str,
) -> Result<bool, WebhookError> {
    let response = client
        .get(url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.challenge", challenge),
            ("hub.verify_token", verify_token),
        ])
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await?;
    let ok = response.status() == reqwest::StatusCode::OK;
    let body = response.text().await?;
    Ok(ok && body == challenge)
}

/// Runs the handshake against the configured target with a fresh challenge.
pub async fn verify_instagram_target(
    shared: &Arc<Shared>,
    verify_token: &str,
) -> Result<bool, WebhookError> {
    let (url, challenge) = {
        let mut state = shared.lock();
        let url = state.webhook_url.clone().ok_or(WebhookError::NoTarget)?;
        (url, state.next_digits("hub-challenge", 10))
    };
    meta_handshake(&shared.http, &url, verify_token, &challenge).await
}

/// Delivers every queued webhook (when a target is configured) and records the result.
pub async fn flush(shared: &Arc<Shared>) {
    let (url, pending): (Option<String>, Vec<(usize, WebhookRecord)>) = {
        let mut state = shared.lock();
        let pending = std::mem::take(&mut state.outbox)
            .into_iter()
            .filter_map(|i| state.webhooks.get(i).cloned().map(|w| (i, w)))
            .collect();
        (state.webhook_url.clone(), pending)
    };
    let Some(url) = url else { return };
    for (index, record) in pending {
        match post(&shared.http, &url, &record).await {
            Ok(status) => {
                if let Some(w) = shared.lock().webhooks.get_mut(index) {
                    w.delivered_status = Some(status);
                }
            }
            Err(e) => tracing::warn!(event = %record.event, error = %e, "webhook not delivered"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiktok_signature_matches_the_contract_sheet_vector() {
        let body = r#"{"client_key":"bwo2m45353a6k85","event":"authorization.removed","create_time":1615338610,"user_openid":"act.example12345Example12345Example","content":"{\"reason\": 1 }"}"#;
        assert_eq!(
            tiktok_signature("test_client_secret", 1_633_174_587, body),
            "39c29244091b6bb0d67eca735a97218805842b7c8cea52dde8296f6c0c36ae09"
        );
        assert_eq!(
            tiktok_header("test_client_secret", 1_633_174_587, body),
            "t=1633174587,s=39c29244091b6bb0d67eca735a97218805842b7c8cea52dde8296f6c0c36ae09"
        );
    }

    #[test]
    fn meta_signature_is_hmac_sha256_over_the_raw_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            meta_header("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tiktok_event_content_is_a_json_string() {
        let w = tiktok_event(
            "ck",
            "secret",
            "post.publish.complete",
            100,
            "oid",
            &serde_json::json!({"publish_id": "p"}),
        );
        let v: serde_json::Value = serde_json::from_str(&w.body).unwrap();
        let content = v["content"].as_str().unwrap();
        let inner: serde_json::Value = serde_json::from_str(content).unwrap();
        assert_eq!(inner["publish_id"], "p");
        assert_eq!(w.signature_header.1, tiktok_header("secret", 100, &w.body));
    }
}

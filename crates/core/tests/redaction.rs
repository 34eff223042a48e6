//! Known secret values are driven through every path that can reach a log line (field
//! names, URL queries, Authorization headers, JSON bodies echoed in errors, a panic, error
//! payloads) with the real subscriber writing real files; then the files are searched.

use std::collections::BTreeMap;
use std::path::Path;

use outpost_core::error::UserFacing;
use outpost_core::telemetry::{self, redact, TelemetryOptions};

const SECRETS: &[&str] = &[
    "SECRET-field-token-0001",
    "SECRET-client-secret-0002",
    "SECRET-password-0003",
    "SECRET-oauth-code-0004",
    "SECRET-bearer-0005abcdef",
    "SECRET-query-token-0006",
    "SECRET-header-map-0007xyz",
    "SECRET-json-body-0008",
    "SECRET-json-message-0009",
    "SECRET-panic-0010",
    "SECRET-error-payload-0011",
    "SECRET-registered-0012",
];

#[derive(Debug, thiserror::Error)]
#[error("the platform answered: {0}")]
struct EchoError(String);

impl UserFacing for EchoError {
    fn code(&self) -> &'static str {
        "test.echo"
    }
}

fn all_files_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        text.push_str(&String::from_utf8_lossy(&std::fs::read(path).unwrap()));
    }
    text
}

#[test]
fn no_secret_reaches_the_log_files_whatever_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::env::remove_var("OUTPOST_LOG");
    let guard = telemetry::init(&TelemetryOptions {
        logs_dir: Some(logs.clone()),
        verbosity: 3,
        console: true,
    })
    .unwrap();
    let span = telemetry::operation_span("test");
    let _entered = span.enter();

    tracing::info!(token = SECRETS[0], "field named token");
    tracing::info!(client_secret = %SECRETS[1], password = SECRETS[2], code = SECRETS[3], "credentials fields");
    tracing::info!(authorization = %format!("Bearer {}", SECRETS[4]), "auth header field");
    tracing::info!(url = %format!("https://cb.test/callback?state=abc&access_token={}&x=1", SECRETS[5]), "callback url");
    let mut headers = BTreeMap::new();
    headers.insert("Authorization", format!("Bearer {}", SECRETS[6]));
    headers.insert("Content-Type", "application/json".to_owned());
    tracing::warn!(?headers, "request headers");
    let body = format!(r#"{{"access_token":"{}","expires_in":3600}}"#, SECRETS[7]);
    tracing::error!(%body, "platform error body");
    tracing::error!(
        "platform error: {}",
        format!(r#"{{"refresh_token": "{}"}}"#, SECRETS[8])
    );

    redact::register_secret(SECRETS[9]);
    let joined =
        std::thread::spawn(|| panic!("unexpected state while holding {}", SECRETS[9])).join();
    assert!(joined.is_err());

    let payload = EchoError(format!("invalid request access_token={}", SECRETS[10])).to_payload();
    assert!(
        !payload.message.contains(SECRETS[10]),
        "{}",
        payload.message
    );
    tracing::warn!(message = %payload.message, "error shown to the user");

    redact::register_secret(SECRETS[11]);
    tracing::info!(
        "free text that happens to contain {} somewhere",
        SECRETS[11]
    );

    // Refused and accepted webhooks are logged without the signing keys or the signatures.
    let webhook_secrets = refuse_and_accept_webhooks(dir.path());

    drop(_entered);
    drop(guard); // flushes the non-blocking file writer

    let text = all_files_text(&logs);
    for marker in [
        "field named token",
        "callback url",
        "platform error body",
        "Outpost crashed",
        "correlation_id",
        "free text",
    ] {
        assert!(text.contains(marker), "log is missing {marker:?}: {text}");
    }
    assert!(text.contains("[REDACTED]"));
    for secret in SECRETS {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the logs:\n{text}"
        );
    }
    assert!(
        text.contains("webhook refused") && text.contains("events.signature_invalid"),
        "{text}"
    );
    assert!(text.contains("webhook accepted"), "{text}");
    for secret in webhook_secrets {
        assert!(!text.contains(&secret), "{secret} leaked into the logs");
    }
}

const TT_SECRET: &str = "webhook-client-secret-0001";
const VERIFY_TOKEN: &str = "webhook-verify-token-0002";

/// Deliver a forged and a genuine TikTok webhook and a wrong Meta handshake; returns the
/// values that must not appear in the logs.
fn refuse_and_accept_webhooks(dir: &Path) -> Vec<String> {
    use axum::http::{HeaderMap, HeaderValue};
    use outpost_core::db::Database;
    use outpost_core::events::{Intake, WebhookSecrets};
    use outpost_core::vault::SecretValue;
    use outpost_core::Platform;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = Database::open(&dir.join("events.db")).await.unwrap();
        let intake = Intake::new(
            db,
            WebhookSecrets {
                tiktok_client_secret: Some(SecretValue::new(TT_SECRET)),
                instagram_app_secret: None,
                instagram_verify_token: Some(SecretValue::new(VERIFY_TOKEN)),
            },
            outpost_core::clock::system(),
        );
        let now = chrono::Utc::now().timestamp();
        let body = serde_json::json!({"client_key": "ck", "event": "post.publish.complete",
            "create_time": now, "user_openid": "oid", "content": "{\"publish_id\":\"p1\"}"})
        .to_string();
        let signed = |secret: &str| {
            let value = outpost_sandbox::webhook::tiktok_header(secret, now, &body);
            let mut h = HeaderMap::new();
            h.insert("tiktok-signature", HeaderValue::from_str(&value).unwrap());
            (h, value)
        };
        let (forged, forged_value) = signed("attacker-key-0003");
        assert!(intake
            .receive(Platform::Tiktok, &forged, body.as_bytes())
            .await
            .is_err());
        let (good, good_value) = signed(TT_SECRET);
        intake
            .receive(Platform::Tiktok, &good, body.as_bytes())
            .await
            .unwrap();
        let _ = intake.handshake(Some("subscribe"), Some("wrong-token-0004"), Some("42"));
        vec![
            TT_SECRET.to_owned(),
            VERIFY_TOKEN.to_owned(),
            "wrong-token-0004".to_owned(),
            forged_value,
            good_value,
        ]
    })
}

//! The inspection and control API under `/_sandbox` (a path no platform uses): what was
//! called (per endpoint and per token), what was published and how many times per
//! logical post (to assert exactly-once), webhooks sent, the media host's objects, the
//! clock, faults, token expiry/revocation and reset. The same snapshot is available from
//! Rust.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::config::{Platform, RegisteredApp};
use crate::faults::FaultSpec;
use crate::s3host::{self, MediaHostObject};
use crate::state::{CallRecord, PublishRecord, Shared, WebhookRecord};
use crate::{web, webhook};

/// A snapshot of what the sandbox saw.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Inspection {
    /// Sandbox time (unix seconds).
    pub now: i64,
    /// How far the clock was advanced, in seconds.
    pub clock_offset_secs: u64,
    /// Current faults, in spec syntax.
    pub faults: String,
    /// Platform requests, in order (the last `state::CALL_LOG_CAPACITY`).
    pub calls: Vec<CallRecord>,
    /// `"METHOD /platform/path"` → count.
    pub calls_by_endpoint: BTreeMap<String, u64>,
    /// Token → count.
    pub calls_by_token: BTreeMap<String, u64>,
    /// Every committed publish, in order.
    pub published: Vec<PublishRecord>,
    /// Logical post key → number of commits (more than 1 means a double publish).
    pub publish_counts: BTreeMap<String, u64>,
    /// Webhooks produced (and their delivery status).
    pub webhooks: Vec<WebhookRecord>,
    /// Objects stored in the media host bucket (`/_s3`), deleted ones included.
    #[serde(default)]
    pub media_host_objects: Vec<MediaHostObject>,
}

impl Inspection {
    /// Calls received by `"METHOD /platform/path"`.
    pub fn calls_to(&self, method: &str, path: &str) -> u64 {
        self.calls_by_endpoint
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }

    /// Publishes committed on one platform.
    pub fn published_on(&self, platform: Platform) -> Vec<&PublishRecord> {
        self.published
            .iter()
            .filter(|p| p.platform == platform)
            .collect()
    }

    /// The highest number of commits of any one logical post (1 means exactly once).
    pub fn max_publish_count(&self) -> u64 {
        self.publish_counts.values().copied().max().unwrap_or(0)
    }
}

/// Builds the snapshot.
pub fn snapshot(shared: &Shared, media_host: &s3host::Store) -> Inspection {
    let now = shared.clock.now();
    let offset = shared.clock.offset().as_secs();
    let state = shared.lock();
    let mut publish_counts = BTreeMap::new();
    for p in &state.published {
        *publish_counts.entry(p.logical_key.clone()).or_insert(0) += 1;
    }
    Inspection {
        now,
        clock_offset_secs: offset,
        faults: state.faults.to_string(),
        calls: state.calls.clone(),
        calls_by_endpoint: state.calls_by_endpoint.clone(),
        calls_by_token: state.calls_by_token.clone(),
        published: state.published.clone(),
        publish_counts,
        webhooks: state.webhooks.clone(),
        media_host_objects: media_host.objects(),
    }
}

/// Moves the clock, runs time-driven transitions and delivers their webhooks.
pub async fn advance(shared: &Arc<Shared>, by: Duration) {
    shared.clock.advance(by);
    let now = shared.clock.now();
    shared.lock().tick(now);
    webhook::flush(shared).await;
}

/// The `/_sandbox` routes.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/inspect", get(inspect))
        .route("/reset", post(reset))
        .route("/clock", get(clock))
        .route("/clock/advance", post(clock_advance))
        .route("/faults", get(get_faults).post(set_faults).put(set_faults))
        .route("/tokens/expire", post(expire_tokens))
        .route("/tokens/revoke", post(revoke_tokens))
        .route("/apps", get(apps))
        .route("/webhooks/target", post(webhook_target))
        .route("/webhooks/instagram/comment", post(instagram_comment))
        .route("/webhooks/instagram/verify", post(instagram_verify))
        .fallback(not_found)
}

fn bad(message: &str) -> Response {
    web::json(StatusCode::BAD_REQUEST, &json!({"error": message}))
}

async fn not_found() -> Response {
    web::json(
        StatusCode::NOT_FOUND,
        &json!({"error": "unknown sandbox endpoint"}),
    )
}

async fn inspect(
    State(shared): State<Arc<Shared>>,
    Extension(media_host): Extension<Arc<s3host::Store>>,
) -> Response {
    web::json(
        StatusCode::OK,
        &serde_json::to_value(snapshot(&shared, &media_host)).unwrap_or_default(),
    )
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().reset_inspection();
    web::json(StatusCode::OK, &json!({"reset": true}))
}

async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    web::json(
        StatusCode::OK,
        &json!({"now": shared.clock.now(), "now_ms": shared.clock.now_ms(), "offset_secs": shared.clock.offset().as_secs(), "frozen": shared.clock.is_frozen()}),
    )
}

#[derive(Deserialize)]
struct AdvanceBody {
    seconds: u64,
}

async fn clock_advance(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(b) = serde_json::from_slice::<AdvanceBody>(&body) else {
        return bad("expected {\"seconds\": N} with N a non-negative integer");
    };
    advance(&shared, Duration::from_secs(b.seconds)).await;
    clock(State(shared)).await
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    let faults = shared.lock().faults.clone();
    web::json(
        StatusCode::OK,
        &json!({"spec": faults.to_string(), "faults": serde_json::to_value(&faults).unwrap_or_default()}),
    )
}

async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body);
    let spec = if text.trim_start().starts_with('{') {
        #[derive(Deserialize)]
        struct SpecBody {
            spec: String,
        }
        match serde_json::from_str::<SpecBody>(&text) {
            Ok(b) => b.spec.parse::<FaultSpec>(),
            Err(_) => return bad("expected {\"spec\": \"...\"} or a plain-text fault spec"),
        }
    } else {
        text.parse::<FaultSpec>()
    };
    match spec {
        Ok(spec) => {
            shared.lock().set_faults(spec);
            get_faults(State(shared)).await
        }
        Err(e) => bad(&e.to_string()),
    }
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let now = shared.clock.now();
    shared.lock().expire_all_tokens(now);
    web::json(StatusCode::OK, &json!({"expired": true}))
}

async fn revoke_tokens(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().revoke_all_tokens();
    web::json(StatusCode::OK, &json!({"revoked": true}))
}

async fn apps(State(shared): State<Arc<Shared>>) -> Response {
    let apps: Vec<RegisteredApp> = shared.lock().apps.clone();
    web::json(StatusCode::OK, &json!({"apps": apps}))
}

async fn webhook_target(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Target {
        url: Option<String>,
    }
    let Ok(t) = serde_json::from_slice::<Target>(&body) else {
        return bad("expected {\"url\": \"http://...\"} or {\"url\": null}");
    };
    if let Some(u) = &t.url {
        if url::Url::parse(u).is_err() {
            return bad("url is not a valid absolute URL");
        }
    }
    shared.lock().webhook_url = t.url.clone();
    web::json(StatusCode::OK, &json!({"url": t.url}))
}

/// Queues (and delivers) an Instagram `comments` change for `media_id`, signed with the
/// secret of the first registered Instagram app. Returns the comment id.
pub async fn emit_instagram_comment(
    shared: &Arc<Shared>,
    media_id: &str,
    text: &str,
    username: &str,
) -> Option<String> {
    let comment_id = queue_instagram_comment(shared, media_id, text, username)?;
    webhook::flush(shared).await;
    Some(comment_id)
}

fn queue_instagram_comment(
    shared: &Shared,
    media_id: &str,
    text: &str,
    username: &str,
) -> Option<String> {
    let now = shared.clock.now();
    let mut state = shared.lock();
    let media = state
        .media
        .iter()
        .find(|m| m.platform == Platform::Instagram && m.id == media_id)
        .cloned()?;
    let secret = state
        .apps
        .iter()
        .find(|a| a.platform == Platform::Instagram)
        .and_then(|a| a.client_secret.clone())?;
    let comment_id = state.next_digits("ig-webhook-comment", 17);
    let from_id = crate::det::digits(state.seed, username, 17);
    let product = if media.kind == "REELS" {
        "REELS"
    } else {
        "FEED"
    };
    let value = json!({
        "id": comment_id,
        "text": text,
        "from": {"id": from_id, "username": username},
        "media": {"id": media.id, "media_product_type": product},
    });
    let record = webhook::instagram_event(&secret, &media.owner, now, "comments", &value);
    state.queue_webhook(record);
    Some(comment_id)
}

async fn instagram_comment(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Comment {
        media_id: String,
        text: String,
        #[serde(default = "default_fan")]
        username: String,
    }
    fn default_fan() -> String {
        "sandbox_fan".into()
    }
    let Ok(c) = serde_json::from_slice::<Comment>(&body) else {
        return bad("expected {\"media_id\": \"...\", \"text\": \"...\"}");
    };
    match emit_instagram_comment(&shared, &c.media_id, &c.text, &c.username).await {
        Some(id) => web::json(StatusCode::OK, &json!({"id": id})),
        None => web::json(
            StatusCode::NOT_FOUND,
            &json!({"error": "unknown Instagram media id"}),
        ),
    }
}

async fn instagram_verify(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    struct Verify {
        verify_token: String,
    }
    let Ok(v) = serde_json::from_slice::<Verify>(&body) else {
        return bad("expected {\"verify_token\": \"...\"}");
    };
    match webhook::verify_instagram_target(&shared, &v.verify_token).await {
        Ok(verified) => web::json(StatusCode::OK, &json!({"verified": verified})),
        Err(e) => bad(&e.to_string()),
    }
}

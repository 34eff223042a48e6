//! `outpost connect|callback|accounts|disconnect|refresh|credentials`: thin calls into
//! `outpost_core::oauth`.

use std::io::{BufRead, Write};
use std::time::Duration;

use outpost_core::config::RedirectMode;
use outpost_core::db::accounts::Account;
use outpost_core::error::{ErrorPayload, UserFacing};
use outpost_core::oauth::{attempts, callback, credentials, loopback, OAuthError};
use outpost_core::platforms::permissions;
use outpost_core::vault::SecretValue;
use outpost_core::Platform;
use serde::Serialize;

use crate::args::CredentialsAction;
use crate::context::{fail, Context};
use crate::output::Output;

fn account_line(a: &Account) -> String {
    format!(
        "#{} {} {}{}",
        a.id,
        a.platform,
        a.username
            .as_deref()
            .map(|u| format!("@{u}"))
            .unwrap_or_else(|| a.platform_user_id.clone()),
        match a.status.as_str() {
            "active" => String::new(),
            other => format!(
                " [{other}{}]",
                a.status_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        }
    )
}

pub async fn connect(
    ctx: &Context,
    out: &Output,
    platform: Platform,
    no_browser: bool,
    timeout: u64,
) -> Result<(), ErrorPayload> {
    tracing::Span::current().record("platform", platform.as_str());
    let connector = ctx.connector()?;
    let listener = loopback::Listener::start().await.map_err(fail)?;
    let redirect_uri = match connector.redirect_mode(platform) {
        RedirectMode::Loopback => listener.redirect_uri(),
        _ => connector.fixed_redirect_uri(platform).map_err(fail)?,
    };
    let started = connector
        .start(platform, &redirect_uri, Some(listener.port()))
        .await
        .map_err(fail)?;
    // What the creator is about to approve, before the browser asks.
    let about = permissions::info(platform);
    eprintln!("Outpost asks {} to:", about.display_name);
    for s in &about.scopes {
        eprintln!("  - {} ({})", s.description, s.scope);
    }
    eprintln!("Your account needs:");
    for r in &about.requirements {
        eprintln!("  - {r}");
    }
    println!("{}", started.authorize_url);
    let _ = std::io::stdout().flush();
    if !no_browser {
        if let Err(e) = open::that_detached(started.authorize_url.as_str()) {
            eprintln!("could not open a browser ({e}); open the URL above yourself");
        }
    }
    eprintln!(
        "Waiting for you to approve Outpost on {} (up to {timeout} s)…",
        platform.display_name()
    );
    let account = loopback::complete(
        &connector,
        listener,
        platform,
        &started.state,
        Duration::from_secs(timeout),
    )
    .await
    .map_err(fail)?;
    out.record(&account, &[("Connected", account_line(&account))]);
    Ok(())
}

#[derive(Serialize)]
struct Handed {
    platform: Platform,
    message: String,
}

pub async fn callback(ctx: &Context, out: &Output, url: &str) -> Result<(), ErrorPayload> {
    let from_stdin;
    let url = if url == "-" {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| ErrorPayload {
                code: "io.stdin".into(),
                message: e.to_string(),
            })?;
        from_stdin = line;
        from_stdin.trim()
    } else {
        url
    };
    let parsed = callback::parse_url(url).map_err(fail)?;
    let now = chrono::Utc::now().timestamp_millis();
    let info = attempts::lookup(&ctx.db, &parsed.state, now)
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(OAuthError::StateUnknown))?;
    if info.consumed {
        return Err(fail(OAuthError::StateReused));
    }
    if info.expired {
        return Err(fail(OAuthError::StateExpired));
    }
    let port = info.handoff_port.ok_or_else(|| {
        fail(OAuthError::NoWaiter {
            platform: info.platform,
        })
    })?;
    let target = format!("http://127.0.0.1:{port}/callback?{}", parsed.query);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(150))
        .build()
        .map_err(|e| ErrorPayload {
            code: "http.setup".into(),
            message: e.to_string(),
        })?;
    let resp = client.get(target).send().await.map_err(|_| {
        fail(OAuthError::NoWaiter {
            platform: info.platform,
        })
    })?;
    let ok = resp.status().is_success();
    let page = resp.text().await.unwrap_or_default();
    let message = extract_message(&page);
    if !ok {
        return Err(ErrorPayload {
            code: "oauth.callback_refused".into(),
            message,
        });
    }
    out.record(
        &Handed {
            platform: info.platform,
            message: message.clone(),
        },
        &[("Handed to outpost connect", message)],
    );
    Ok(())
}

/// The message paragraph of the listener's page.
fn extract_message(page: &str) -> String {
    let start = page
        .find("<p id=\"message\">")
        .map(|i| i + "<p id=\"message\">".len());
    let text = match start {
        Some(s) => page[s..].split("</p>").next().unwrap_or(""),
        None => page,
    };
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

pub async fn list(ctx: &Context, out: &Output) -> Result<(), ErrorPayload> {
    let accounts = ctx.db.accounts().list().await.map_err(fail)?;
    if out.json {
        out.record(&accounts, &[]);
        return Ok(());
    }
    if accounts.is_empty() {
        println!("No accounts connected. Run `outpost connect tiktok|instagram|reddit`.");
    }
    for a in &accounts {
        println!("{}", account_line(a));
    }
    Ok(())
}

pub async fn disconnect(
    ctx: &Context,
    out: &Output,
    selector: &str,
    purge: bool,
) -> Result<(), ErrorPayload> {
    let account = ctx.db.accounts().find(selector).await.map_err(fail)?;
    tracing::Span::current()
        .record("platform", account.platform.as_str())
        .record("account", account.id);
    let report = ctx
        .connector()?
        .disconnect(account.id, purge)
        .await
        .map_err(fail)?;
    let mut lines = vec![
        ("Disconnected", account_line(&account)),
        (
            "Revoked at platform",
            if report.revoked_at_platform {
                "yes".into()
            } else {
                "no".into()
            },
        ),
        ("Secrets deleted", report.secrets_deleted.to_string()),
        ("Jobs cancelled", report.jobs_cancelled.to_string()),
        (
            "History",
            if purge {
                "deleted".into()
            } else {
                "kept (use --purge to delete)".into()
            },
        ),
    ];
    if let Some(note) = &report.revoke_note {
        lines.push(("Note", note.clone()));
    }
    out.record(&report, &lines);
    Ok(())
}

#[derive(Serialize)]
struct RefreshRow {
    account: i64,
    platform: Platform,
    outcome: String,
    error: Option<ErrorPayload>,
}

pub async fn refresh(
    ctx: &Context,
    out: &Output,
    selector: Option<&str>,
    force: bool,
) -> Result<(), ErrorPayload> {
    let connector = ctx.connector()?;
    let results = match selector {
        Some(s) => {
            let account = ctx.db.accounts().find(s).await.map_err(fail)?;
            let r = connector.refresh(account.id, force).await;
            vec![(account, r)]
        }
        None => connector.refresh_all(force).await.map_err(fail)?,
    };
    let rows: Vec<RefreshRow> = results
        .iter()
        .map(|(a, r)| RefreshRow {
            account: a.id,
            platform: a.platform,
            outcome: match r {
                Ok(o) => serde_json::to_value(o)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                Err(_) => "failed".into(),
            },
            error: r.as_ref().err().map(|e| e.to_payload()),
        })
        .collect();
    let lines: Vec<(&str, String)> = results
        .iter()
        .zip(&rows)
        .map(|((a, _), row)| {
            (
                "Account",
                format!(
                    "{}: {}{}",
                    account_line(a),
                    row.outcome,
                    row.error
                        .as_ref()
                        .map(|e| format!(" ({})", e.message))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    out.record(&rows, &lines);
    let failed = rows.iter().filter(|r| r.error.is_some()).count();
    if failed > 0 {
        return Err(ErrorPayload {
            code: "refresh.failed".into(),
            message: format!("{failed} account(s) could not be refreshed"),
        });
    }
    Ok(())
}

pub async fn credentials(
    ctx: &Context,
    out: &Output,
    action: &CredentialsAction,
) -> Result<(), ErrorPayload> {
    match action {
        CredentialsAction::Set {
            platform,
            client_id,
            no_secret,
        } => {
            let secret = if *no_secret {
                None
            } else {
                eprintln!(
                    "Paste the {} client secret and press Enter:",
                    platform.display_name()
                );
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| ErrorPayload {
                        code: "io.stdin".into(),
                        message: e.to_string(),
                    })?;
                let line = line.trim().to_owned();
                if line.is_empty() {
                    return Err(ErrorPayload {
                        code: "credentials.empty_secret".into(),
                        message: "no secret was given on standard input (use --no-secret for apps without one)".into(),
                    });
                }
                Some(SecretValue::new(line))
            };
            credentials::store(&ctx.vault(), *platform, client_id, secret.as_ref())
                .await
                .map_err(fail)?;
            out.record(
                &serde_json::json!({"platform": platform, "client_id": client_id, "secret_stored": secret.is_some()}),
                &[("Stored", format!("{} developer app {client_id} (secret {})", platform.display_name(), if secret.is_some() { "in the vault" } else { "none" }))],
            );
            Ok(())
        }
    }
}

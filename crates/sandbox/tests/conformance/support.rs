//! Helpers shared by the conformance tests: an HTTP client that does not follow
//! redirects, a tiny HTML form reader that "clicks" the consent page's buttons like a
//! browser, and PKCE helpers.

use std::collections::HashMap;

use outpost_sandbox::{Sandbox, SandboxConfig};

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const REDIRECT: &str = "http://127.0.0.1:53682/callback/";

pub async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        frozen_clock: true,
        seed: 42,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("test:outpost-sandbox-conformance:v0.1 (by /u/outpost)")
        .build()
        .expect("client")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The consent form's action and hidden fields.
pub fn read_form(html: &str) -> (String, Vec<(String, String)>) {
    let form_start = html.find("<form").expect("a form");
    let form_tag_end = html[form_start..].find('>').expect("form tag") + form_start;
    let action = attr(&html[form_start..form_tag_end], "action").expect("action");
    let mut fields = Vec::new();
    let mut rest = &html[form_tag_end..];
    while let Some(i) = rest.find("<input") {
        let end = rest[i..].find('>').expect("input end") + i;
        let tag = &rest[i..end];
        if let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value")) {
            fields.push((n, v));
        }
        rest = &rest[end..];
    }
    (action, fields)
}

/// Opens the authorize page, clicks Authorize (or Deny), returns the redirect Location.
pub async fn consent(client: &reqwest::Client, authorize_url: &str, allow: bool) -> String {
    consent_as(client, authorize_url, allow, None).await
}

/// Same, choosing the account in the page's "Continue as" list.
pub async fn consent_as(
    client: &reqwest::Client,
    authorize_url: &str,
    allow: bool,
    account: Option<&str>,
) -> String {
    let page = client
        .get(authorize_url)
        .send()
        .await
        .expect("authorize page");
    assert_eq!(page.status(), 200, "authorize page status");
    let html = page.text().await.expect("html");
    let (action, mut fields) = read_form(&html);
    if let Some(a) = account {
        assert!(
            html.contains(&format!("<option value=\"{a}\">")),
            "{a} is offered"
        );
        fields.push(("account".into(), a.into()));
    }
    fields.push((
        "decision".into(),
        if allow { "allow" } else { "deny" }.into(),
    ));
    let response = client
        .post(action)
        .form(&fields)
        .send()
        .await
        .expect("decision");
    assert!(
        response.status().is_redirection(),
        "decision answers a redirect, got {}",
        response.status()
    );
    response
        .headers()
        .get("location")
        .expect("location")
        .to_str()
        .expect("ascii")
        .to_string()
}

/// Query parameters of a URL (fragment excluded).
pub fn query_of(url: &str) -> HashMap<String, String> {
    let parsed = url::Url::parse(url).expect("absolute url");
    parsed.query_pairs().into_owned().collect()
}

pub fn url_with(base: &str, params: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(base).expect("url");
    u.query_pairs_mut().extend_pairs(params.iter().copied());
    u.to_string()
}

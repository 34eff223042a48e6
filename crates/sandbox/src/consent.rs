//! Acting as the creator's browser on the sandbox's own consent page, for the tests,
//! examples and benchmarks of whoever drives the sandbox: load an authorize URL, submit its
//! form with a decision (and, optionally, which seeded account consents), and hand back the
//! redirect's `Location`. It lives here because the page's markup is the sandbox's.

use url::Url;

use crate::config::{TIKTOK_CLIENT_KEY, TIKTOK_CLIENT_SECRET};
use crate::{oauth, Platform, Sandbox};

/// Why the consent could not be given.
#[derive(Debug, thiserror::Error)]
pub enum ConsentError {
    /// Transport.
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    /// The page or its answer is not what the sandbox serves.
    #[error("consent page: {0}")]
    Page(String),
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Value of attribute `name` in the HTML fragment `tag`.
fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(html_unescape(&tag[start..end]))
}

/// The consent form of `html` (served at `page_url`): its absolute action and hidden fields.
pub fn read_form(page_url: &Url, html: &str) -> Result<(Url, Vec<(String, String)>), ConsentError> {
    let bad = |what: &str| ConsentError::Page(what.to_owned());
    let form = html.find("<form").ok_or_else(|| bad("no form"))?;
    let tag_end = html[form..]
        .find('>')
        .ok_or_else(|| bad("unclosed form tag"))?
        + form;
    let action = attr(&html[form..tag_end], "action").ok_or_else(|| bad("form without action"))?;
    let action = page_url.join(&action).map_err(|e| bad(&e.to_string()))?;
    let fields = html[tag_end..]
        .split("<input")
        .skip(1)
        .filter(|tag| attr(tag, "type").as_deref() == Some("hidden"))
        .filter_map(|tag| Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default())))
        .collect();
    Ok((action, fields))
}

/// Open `authorize_url`, answer Authorize (`allow`) or Deny, as `account` when given (one
/// of the seeded accounts the page offers), and return the redirect's `Location`.
pub async fn decide(
    authorize_url: &str,
    allow: bool,
    account: Option<&str>,
) -> Result<String, ConsentError> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = http.get(authorize_url).send().await?;
    if !page.status().is_success() {
        return Err(ConsentError::Page(format!("answered {}", page.status())));
    }
    let page_url = page.url().clone();
    let html = page.text().await?;
    let (action, mut fields) = read_form(&page_url, &html)?;
    fields.push((
        "decision".into(),
        if allow { "allow" } else { "deny" }.into(),
    ));
    if let Some(a) = account {
        fields.push(("account".into(), a.into()));
    }
    let resp = http.post(action).form(&fields).send().await?;
    resp.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            ConsentError::Page(format!(
                "the decision answered {} without a redirect",
                resp.status()
            ))
        })
}

/// An access token of the seeded TikTok creator with `scopes`, through the whole
/// authorization-code flow with PKCE (for benchmarks and examples that need one quickly).
pub async fn tiktok_access_token(sandbox: &Sandbox, scopes: &str) -> Result<String, ConsentError> {
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const REDIRECT: &str = "http://127.0.0.1:9/callback/";
    let base = sandbox.base_url(Platform::TikTok);
    let mut authorize = Url::parse(&format!("{base}/v2/auth/authorize/"))
        .map_err(|e| ConsentError::Page(e.to_string()))?;
    authorize.query_pairs_mut().extend_pairs([
        ("client_key", TIKTOK_CLIENT_KEY),
        ("scope", scopes),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("state", "sandbox"),
        ("code_challenge", &oauth::challenge_hex(VERIFIER)),
        ("code_challenge_method", "S256"),
    ]);
    let location = decide(authorize.as_str(), true, None).await?;
    let code = Url::parse(&location)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "code")
                .map(|(_, v)| v.into_owned())
        })
        .ok_or_else(|| ConsentError::Page(format!("no code in {location}")))?;
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/v2/oauth/token/"))
        .form(&[
            ("client_key", TIKTOK_CLIENT_KEY),
            ("client_secret", TIKTOK_CLIENT_SECRET),
            ("code", code.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await?
        .json()
        .await?;
    tokens["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ConsentError::Page(format!("no access token: {tokens}")))
}

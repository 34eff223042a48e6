//! `outpost://` links: registered with the desktop at run time on Linux (the .deb's desktop
//! entry declares the scheme for installed copies), received from the first launch's
//! arguments and, through `tauri-plugin-single-instance`, from every later launch. An
//! `outpost://oauth/callback?…` link completes a sign-in; any other brings the window up.

use tauri::{AppHandle, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::{connect, ui_events};

/// The scheme.
pub const SCHEME: &str = "outpost";

/// What a link asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// An OAuth callback, to complete a sign-in.
    OAuthCallback(String),
    /// Some other `outpost:` link: just show the window.
    Other,
}

/// Classify `url` (pure; the callback's own checks happen in `oauth::callback`).
pub fn classify(url: &str) -> Link {
    match url::Url::parse(url) {
        Ok(u)
            if u.scheme() == SCHEME
                && u.host_str() == Some("oauth")
                && u.path().trim_end_matches('/') == "/callback" =>
        {
            Link::OAuthCallback(url.to_owned())
        }
        _ => Link::Other,
    }
}

/// Handle links the app was opened with.
pub fn handle<R: Runtime>(app: &AppHandle<R>, urls: Vec<String>) {
    for url in urls {
        match classify(&url) {
            Link::OAuthCallback(url) => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    connect::complete_from_url(&app, &url).await;
                });
            }
            Link::Other => {
                tracing::info!("an outpost: link that is not a sign-in callback");
                ui_events::focus_main(app);
            }
        }
    }
}

/// Register the scheme (Linux: a handler entry under `$XDG_DATA_HOME/applications`), listen
/// for links, and handle the one the app was started with.
pub fn setup<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
    if let Err(e) = app.deep_link().register_all() {
        tracing::warn!(error = %e, "could not register the outpost: link handler");
    }
    let handle_app = app.clone();
    app.deep_link().on_open_url(move |event| {
        let urls = event.urls().iter().map(|u| u.to_string()).collect();
        handle(&handle_app, urls);
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => handle(app, urls.iter().map(|u| u.to_string()).collect()),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the start-up link"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_oauth_callbacks_only() {
        let cb = "outpost://oauth/callback?code=abc&state=xyz";
        assert_eq!(classify(cb), Link::OAuthCallback(cb.into()));
        assert!(matches!(
            classify("outpost://oauth/callback/?state=x"),
            Link::OAuthCallback(_)
        ));
        assert_eq!(classify("outpost://queue"), Link::Other);
        assert_eq!(classify("https://oauth/callback?code=1"), Link::Other);
        assert_eq!(classify("not a url"), Link::Other);
    }
}

//! Shared helpers: running the binary with a clean environment, seeding a vault.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use outpost_core::clock;
use outpost_core::config::VaultBackendChoice;
use outpost_core::db::Database;
use outpost_core::vault::keystore::OsKeyring;
use outpost_core::vault::passphrase::KdfParams;
use outpost_core::vault::{SecretOwner, SecretValue, Vault, VaultOptions};

/// `outpost` with `--data-dir DIR` and no inherited OUTPOST_* variables.
pub fn outpost(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_outpost"));
    for (key, _) in std::env::vars() {
        if key.starts_with("OUTPOST_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.arg("--data-dir").arg(data_dir);
    cmd
}

/// Run and capture.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run outpost")
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A vault over the data dir's database, as the binary would open it.
pub async fn open_vault(
    data_dir: &Path,
    choice: VaultBackendChoice,
    passphrase: Option<&str>,
) -> (Database, Vault) {
    std::fs::create_dir_all(data_dir).unwrap();
    let db = Database::open(&data_dir.join("outpost.db")).await.unwrap();
    let vault = Vault::new(
        db.clone(),
        VaultOptions {
            choice,
            passphrase: passphrase.map(SecretValue::new),
            keystore: Arc::new(OsKeyring),
            kdf: KdfParams::default(),
        },
        clock::system(),
    );
    (db, vault)
}

/// The secret value stored for account `i`.
pub fn token(i: i64) -> String {
    format!("tok-{i:05}-e2e-not-a-real-token")
}

/// Store `n` access tokens.
pub async fn seed(vault: &Vault, n: i64) {
    for i in 0..n {
        vault
            .put(
                &SecretOwner::Account(i),
                "access_token",
                &SecretValue::new(token(i)),
            )
            .await
            .unwrap();
    }
}

/// Every seeded token reads back exactly.
pub async fn assert_all_readable(vault: &Vault, n: i64) {
    for i in 0..n {
        let got = vault
            .get(&SecretOwner::Account(i), "access_token")
            .await
            .unwrap_or_else(|e| panic!("secret {i} unreadable: {e}"))
            .unwrap_or_else(|| panic!("secret {i} lost"));
        assert_eq!(got.expose(), token(i));
    }
}

/// Every file below `dir`, as lossy text, for leak checks.
pub fn all_text_below(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&all_text_below(&path));
        } else {
            // SQLite removes its -wal/-shm files when the last connection closes.
            match std::fs::read(&path) {
                Ok(bytes) => text.push_str(&String::from_utf8_lossy(&bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => panic!("cannot read {}: {e}", path.display()),
            }
        }
    }
    text
}

/// Environment pointing `outpost` at a running sandbox with its seeded apps, and a
/// passphrase vault (tests do not depend on a keyring for these flows).
pub fn sandbox_env(sandbox: &outpost_sandbox::Sandbox) -> Vec<(String, String)> {
    use outpost_sandbox::config as sc;
    use outpost_sandbox::Platform as SP;
    vec![
        ("OUTPOST_VAULT_BACKEND".into(), "passphrase".into()),
        ("OUTPOST_VAULT_PASSPHRASE".into(), TEST_PASSPHRASE.into()),
        (
            "OUTPOST_TIKTOK_BASE_URL".into(),
            sandbox.base_url(SP::TikTok),
        ),
        (
            "OUTPOST_TIKTOK_CLIENT_ID".into(),
            sc::TIKTOK_CLIENT_KEY.into(),
        ),
        (
            "OUTPOST_TIKTOK_CLIENT_SECRET".into(),
            sc::TIKTOK_CLIENT_SECRET.into(),
        ),
        (
            "OUTPOST_INSTAGRAM_BASE_URL".into(),
            sandbox.base_url(SP::Instagram),
        ),
        (
            "OUTPOST_INSTAGRAM_CLIENT_ID".into(),
            sc::INSTAGRAM_APP_ID.into(),
        ),
        (
            "OUTPOST_INSTAGRAM_CLIENT_SECRET".into(),
            sc::INSTAGRAM_APP_SECRET.into(),
        ),
        (
            "OUTPOST_INSTAGRAM_REDIRECT_URI".into(),
            "https://outpost.example/oauth/instagram/".into(),
        ),
        (
            "OUTPOST_REDDIT_BASE_URL".into(),
            sandbox.base_url(SP::Reddit),
        ),
        (
            "OUTPOST_REDDIT_CLIENT_ID".into(),
            sc::REDDIT_CLIENT_ID.into(),
        ),
    ]
}

/// The passphrase of test vaults.
pub const TEST_PASSPHRASE: &str = "e2e vault passphrase";

/// Act as the creator's browser on the sandbox's authorize page: load it, submit the
/// consent form with `decision` (`allow` or `deny`), and return the redirect's Location.
pub async fn browser_decide(authorize_url: &str, decision: &str) -> String {
    browser_decide_as(authorize_url, decision, None).await
}

/// [`browser_decide`], choosing which of the sandbox's accounts consents.
pub async fn browser_decide_as(
    authorize_url: &str,
    decision: &str,
    account: Option<&str>,
) -> String {
    outpost_sandbox::consent::decide(authorize_url, decision == "allow", account)
        .await
        .unwrap()
}

/// `platform:FIELD` of each object of a JSON list, e.g. `["reddit:ok", "tiktok:failed"]`.
pub fn per_platform(json: &serde_json::Value, field: &str) -> Vec<String> {
    json.as_array()
        .expect("a JSON list")
        .iter()
        .map(|o| {
            format!(
                "{}:{}",
                o["platform"].as_str().unwrap(),
                o[field].as_str().unwrap()
            )
        })
        .collect()
}

/// Environment with TikTok (and Instagram) on `main` and Reddit on `reddit`: revoking
/// everything on `main` then touches the TikTok account only.
pub fn split_env(
    main: &outpost_sandbox::Sandbox,
    reddit: &outpost_sandbox::Sandbox,
) -> Vec<(String, String)> {
    let mut env = sandbox_env(main);
    for (k, v) in env.iter_mut() {
        if k == "OUTPOST_REDDIT_BASE_URL" {
            *v = reddit.base_url(outpost_sandbox::Platform::Reddit);
        }
    }
    env
}

//! A user's mistake is one clear line on stderr and a non-zero exit, never a panic.

use outpost_core::db::Database;

use crate::support::*;

fn assert_clean_failure(out: &std::process::Output, needle: &str) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {} stderr: {}",
        stdout(out),
        stderr(out)
    );
    let err = stderr(out);
    assert!(err.contains(needle), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn a_bad_base_url_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(outpost(dir.path())
        .arg("status")
        .env("OUTPOST_TIKTOK_BASE_URL", "localhost:8080"));
    assert_clean_failure(&out, "OUTPOST_TIKTOK_BASE_URL");
}

#[test]
fn a_bad_config_file_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[instagram]\nredirect = \"fax\"\n",
    )
    .unwrap();
    let out = run(outpost(dir.path()).arg("status"));
    assert_clean_failure(&out, "instagram.redirect");
}

#[test]
fn a_secret_in_the_config_file_is_refused_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[reddit]\nclient_secret = \"plain-secret-in-file\"\n",
    )
    .unwrap();
    let out = run(outpost(dir.path()).arg("status"));
    assert_clean_failure(&out, "reddit.client_secret");
    assert!(!stderr(&out).contains("plain-secret-in-file"));
}

#[test]
fn json_errors_are_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(outpost(dir.path())
        .args(["--json", "status"])
        .env("OUTPOST_VAULT_BACKEND", "shoebox"));
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(json["error"]["code"], "config.invalid");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(outpost(dir.path()).arg("frobnicate"));
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn a_database_from_a_newer_outpost_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("outpost.db"))
        .await
        .unwrap();
    sqlx_insert_future_migration(&db).await;
    db.close().await;
    let out = run(outpost(dir.path()).arg("status"));
    assert_clean_failure(&out, "newer version of Outpost");
}

async fn sqlx_insert_future_migration(db: &Database) {
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (30000101000000, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
}

#[test]
fn without_keyring_or_passphrase_the_vault_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(outpost(dir.path())
        .args(["vault", "rotate"])
        // No D-Bus session: no Secret Service can answer.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/outpost-test-bus",
        ));
    assert_clean_failure(&out, "OUTPOST_VAULT_PASSPHRASE");
}

//! `outpost status` and `outpost metrics` on real data dirs.

use crate::support::*;

#[test]
fn status_on_a_fresh_data_dir_creates_the_database_and_reports_sandbox_mode() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(outpost(&data).args(["--json", "status"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["mode"], "sandbox");
    assert_eq!(json["accounts"], 0);
    assert_eq!(json["schema_version"], json["supported_schema_version"]);
    assert_eq!(json["vault"]["state"], "uninitialized");
    assert!(data.join("outpost.db").exists());
    assert!(data.join("logs").is_dir());

    let human = run(outpost(&data).arg("status"));
    assert!(human.status.success());
    let text = stdout(&human);
    assert!(text.contains("Mode:") && text.contains("sandbox"), "{text}");

    let live = run(outpost(&data)
        .arg("status")
        .env("OUTPOST_REDDIT_CLIENT_ID", "my-app"));
    assert!(stdout(&live).contains("live"), "{}", stdout(&live));
}

#[test]
fn data_dir_comes_from_the_environment_when_no_flag_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_outpost"));
    cmd.args(["--json", "status"])
        .env("OUTPOST_DATA_DIR", dir.path());
    let out = run(&mut cmd);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["data_dir"], dir.path().to_str().unwrap());
}

#[test]
fn metrics_accumulate_across_processes_in_prometheus_text() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..3 {
        assert!(run(outpost(dir.path()).arg("status")).status.success());
    }
    let out = run(outpost(dir.path()).arg("metrics"));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("# TYPE outpost_api_calls_total counter"),
        "{text}"
    );
    assert!(
        text.contains(r#"outpost_cli_commands_total{command="status",outcome="ok"} 3"#),
        "{text}"
    );
}

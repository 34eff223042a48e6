//! `outpost sandbox` serves the emulator and prints one base URL per platform.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_command_prints_base_urls_that_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = outpost(dir.path())
        .args(["sandbox", "--seed", "7"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut urls = std::collections::HashMap::new();
    for _ in 0..4 {
        let line = lines.next().unwrap().unwrap();
        let (name, url) = line.split_once(' ').unwrap();
        urls.insert(name.to_owned(), url.to_owned());
    }
    for name in ["tiktok", "instagram", "reddit", "control"] {
        assert!(urls.contains_key(name), "{urls:?}");
    }
    assert!(urls["tiktok"].starts_with("http://127.0.0.1:") && urls["tiktok"].ends_with("/tiktok"));

    // The TikTok authorize page is served under the printed base (real HTML naming the app).
    let page = reqwest::get(format!(
        "{}/v2/auth/authorize/?client_key=sbxtiktokclient01&scope=user.info.basic&response_type=code\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcallback&state=s&code_challenge=abc&code_challenge_method=S256",
        urls["tiktok"]
    ))
    .await
    .unwrap();
    assert!(page.status().is_success(), "{}", page.status());
    assert!(page.text().await.unwrap().contains("Outpost Sandbox"));

    child.kill().unwrap();
    child.wait().unwrap();

    let bad = run(outpost(dir.path()).args(["sandbox", "--faults", "gremlins=3"]));
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("--faults"), "{}", stderr(&bad));
}

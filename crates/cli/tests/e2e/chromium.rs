//! A real browser (Debian's headless Chromium, driven over WebDriver by chromedriver)
//! clicks the sandbox's Authorize button during `outpost connect`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian: `chromium`,
//! `chromium-driver`). Without them the test prints "skipped: ..." and passes, unless
//! `OUTPOST_REQUIRE_BROWSER=1` is set (as `scripts/test.sh` does): then it fails.
//!
//! Every wait is bounded, and the WebDriver session, chromedriver and any browser process
//! it started are torn down by guards even when an assertion fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use outpost_sandbox::Sandbox;
use serde_json::{json, Value};

use crate::support::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C WebDriver key under which an element reference is returned.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

const URL_WAIT: Duration = Duration::from_secs(30);
const DRIVER_START_WAIT: Duration = Duration::from_secs(20);
const CALLBACK_PAGE_WAIT: Duration = Duration::from_secs(30);
const CONNECT_EXIT_WAIT: Duration = Duration::from_secs(30);
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether the browser is there; if not, fail (OUTPOST_REQUIRE_BROWSER=1) or skip.
fn browser_available() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{} not found (install Debian's `chromium` and `chromium-driver`: \
         `scripts/install-deps.sh test`)",
        missing.join(" and ")
    );
    if std::env::var("OUTPOST_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("OUTPOST_REQUIRE_BROWSER=1 but {why}");
    }
    eprintln!("skipped: real-browser OAuth test: {why}");
    false
}

/// A child process killed (and reaped) when dropped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `outpost connect tiktok --no-browser` running in the background: its authorize URL,
/// and the rest of its stdout and its stderr collected by reader threads.
struct Connecting {
    child: KillOnDrop,
    authorize_url: String,
    stdout_rest: std::thread::JoinHandle<String>,
    stderr: std::thread::JoinHandle<String>,
}

async fn start_connect(data: &Path, env: &[(String, String)]) -> Connecting {
    let mut child = outpost(data)
        .args(["connect", "tiktok", "--no-browser", "--timeout", "60"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn outpost connect");
    let out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let child = KillOnDrop(child);
    let (first_tx, first_rx) = tokio::sync::oneshot::channel::<String>();
    let stdout_rest = std::thread::spawn(move || {
        let mut reader = BufReader::new(out);
        let mut first = String::new();
        let _ = reader.read_line(&mut first);
        let _ = first_tx.send(first);
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        rest
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let first = tokio::time::timeout(URL_WAIT, first_rx)
        .await
        .unwrap_or_else(|_| panic!("`outpost connect` printed no URL within {URL_WAIT:?}"))
        .expect("stdout reader thread");
    assert!(
        first.starts_with("http://"),
        "expected the authorize URL on the first line, got {first:?}"
    );
    Connecting {
        child,
        authorize_url: first.trim().to_owned(),
        stdout_rest,
        stderr,
    }
}

impl Connecting {
    /// Wait (bounded) for the command to exit; its status, remaining stdout and stderr.
    async fn finish(mut self, within: Duration) -> (ExitStatus, String, String) {
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(status) = self.child.0.try_wait().expect("try_wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "`outpost connect` still running after {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        // The pipes are closed now that the process has exited.
        let out = self.stdout_rest.join().unwrap_or_default();
        let err = self.stderr.join().unwrap_or_default();
        (status, out, err)
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver in its own process group, plus at most one WebDriver session. Dropping it
/// deletes the session (closing the browser), kills chromedriver, then kills whatever is
/// left of its process group, and only then removes the browser's profile directory.
struct Driver {
    child: Child,
    port: u16,
    http: reqwest::Client,
    session: Option<String>,
    log: PathBuf,
    // Declared last: removed after Drop::drop has stopped the browser.
    _profile: tempfile::TempDir,
}

impl Driver {
    async fn start() -> Driver {
        let profile = tempfile::Builder::new()
            .prefix("outpost-chromium-")
            .tempdir()
            .unwrap();
        let log = profile.path().join("chromedriver.log");
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so the guard can also reap the browser it spawns.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(HTTP_TIMEOUT)
            .build()
            .unwrap();
        let mut driver = Driver {
            child,
            port,
            http,
            session: None,
            log,
            _profile: profile,
        };
        driver.wait_ready().await;
        driver
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + DRIVER_START_WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("chromedriver exited at start: {status}");
            }
            if let Ok(resp) = self
                .http
                .get(self.url("/status"))
                .timeout(Duration::from_secs(2))
                .send()
                .await
            {
                if let Ok(body) = resp.json::<Value>().await {
                    if body["value"]["ready"] == true {
                        return;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready on port {} within {DRIVER_START_WAIT:?}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One WebDriver command; its `value`, or a panic naming the WebDriver error.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method.clone(), self.url(path));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let status = resp.status();
        let body: Value = resp
            .json()
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: unreadable answer: {e}"));
        assert!(
            status.is_success(),
            "WebDriver {method} {path} answered {status}: {} {}",
            body["value"]["error"],
            body["value"]["message"]
        );
        body["value"].clone()
    }

    async fn new_session(&mut self) {
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!(
                "--user-data-dir={}",
                self._profile.path().join("profile").display()
            ),
        ];
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                }
            }
        });
        let value = self
            .command(reqwest::Method::POST, "/session", Some(caps))
            .await;
        let id = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {value}"))
            .to_owned();
        self.session = Some(id);
        self.session_command(
            reqwest::Method::POST,
            "/timeouts",
            Some(json!({ "pageLoad": 30_000, "script": 10_000, "implicit": 0 })),
        )
        .await;
    }

    async fn session_command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let id = self.session.as_deref().expect("no WebDriver session");
        self.command(method, &format!("/session/{id}{path}"), body)
            .await
    }

    async fn navigate(&self, url: &str) {
        self.session_command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn current_url(&self) -> String {
        let v = self
            .session_command(reqwest::Method::GET, "/url", None)
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    async fn find_css(&self, selector: &str) -> String {
        let v = self
            .session_command(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": selector })),
            )
            .await;
        v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element reference in {v}"))
            .to_owned()
    }

    async fn element_text(&self, element: &str) -> String {
        let v = self
            .session_command(
                reqwest::Method::GET,
                &format!("/element/{element}/text"),
                None,
            )
            .await;
        v.as_str().unwrap_or_default().to_owned()
    }

    async fn click(&self, element: &str) {
        self.session_command(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// The visible text of the page body, or "" while the page is changing.
    async fn body_text(&self) -> String {
        let id = self.session.as_deref().expect("no WebDriver session");
        let found = self
            .http
            .post(self.url(&format!("/session/{id}/element")))
            .json(&json!({ "using": "css selector", "value": "body" }))
            .send()
            .await;
        let Ok(found) = found else {
            return String::new();
        };
        let Ok(found) = found.json::<Value>().await else {
            return String::new();
        };
        let Some(body) = found["value"][ELEMENT_KEY].as_str() else {
            return String::new();
        };
        let text = self
            .http
            .get(self.url(&format!("/session/{id}/element/{body}/text")))
            .send()
            .await;
        match text {
            Ok(resp) => resp
                .json::<Value>()
                .await
                .ok()
                .and_then(|v| v["value"].as_str().map(str::to_owned)),
            Err(_) => None,
        }
        .unwrap_or_default()
    }

    /// Delete the session (closes the browser), over reqwest.
    async fn quit(&mut self) {
        if let Some(id) = self.session.take() {
            let _ = self
                .http
                .delete(self.url(&format!("/session/{id}")))
                .timeout(Duration::from_secs(20))
                .send()
                .await;
        }
    }

    /// The tail of chromedriver's log, for failure messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- chromedriver log (tail) ---\n{}", self.log_tail());
        }
        // Drop cannot await: delete a leftover session with a plain blocking request.
        if let Some(id) = self.session.take() {
            delete_session_blocking(self.port, &id);
        }
        // chromedriver leads its own process group: kill the group (chromedriver and
        // anything it started and left behind) before reaping chromedriver, so the group
        // id cannot have been reused.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn delete_session_blocking(port: u16, id: &str) {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return;
    }
    // Wait for the whole answer (chromedriver answers once the browser is closed), but
    // not for the connection to close: chromedriver may keep it open.
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
        if http_answer_complete(&answer) {
            break;
        }
    }
}

/// Whether `buf` holds a full HTTP/1.1 answer with a Content-Length body.
fn http_answer_complete(buf: &[u8]) -> bool {
    let text = String::from_utf8_lossy(buf);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    match length {
        Some(n) => body.len() >= n,
        None => false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn headless_chromium_clicks_authorize_and_the_loopback_callback_connects_tiktok() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let sandbox = Sandbox::start_default().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let env = sandbox_env(&sandbox);

    let connecting = start_connect(data, &env).await;
    let authorize_url = connecting.authorize_url.clone();
    assert!(
        authorize_url.contains("code_challenge_method=S256"),
        "{authorize_url}"
    );

    let mut driver = Driver::start().await;
    driver.new_session().await;
    driver.navigate(&authorize_url).await;

    // The sandbox's consent page, as a creator sees it.
    let button = driver.find_css("button[value=allow]").await;
    assert_eq!(driver.element_text(&button).await, "Authorize");
    driver.click(&button).await;

    // The sandbox redirects the browser to the CLI's loopback listener, which answers.
    let deadline = Instant::now() + CALLBACK_PAGE_WAIT;
    let (url, text) = loop {
        let url = driver.current_url().await;
        let text = driver.body_text().await;
        // URL and text are read one after the other: both must show the callback page
        // (the sandbox's own pages are on 127.0.0.1 too).
        let on_callback = url::Url::parse(&url).is_ok_and(|u| u.path() == "/callback");
        if url.starts_with("http://127.0.0.1:") && on_callback && text.contains("is connected") {
            break (url, text);
        }
        assert!(
            Instant::now() < deadline,
            "no \"is connected\" page within {CALLBACK_PAGE_WAIT:?}; browser at {url}, \
             page text: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let callback = url::Url::parse(&url).unwrap();
    assert_eq!(callback.path(), "/callback", "{url}");
    assert!(
        text.to_lowercase().contains("tiktok"),
        "the callback page should name the platform: {text:?}"
    );
    driver.quit().await;
    drop(driver);

    let (status, out, err) = connecting.finish(CONNECT_EXIT_WAIT).await;
    assert!(status.success(), "outpost connect: {status}\n{out}\n{err}");
    assert!(out.contains("tiktok"), "{out}");

    let listed = run(outpost(data)
        .args(["--json", "accounts"])
        .envs(env.iter().map(|(k, v)| (k, v))));
    assert!(listed.status.success(), "{}", stderr(&listed));
    let accounts: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let accounts = accounts.as_array().expect("a JSON array of accounts");
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["platform"], "tiktok");
    assert_eq!(accounts[0]["status"], "active");

    sandbox.shutdown().await;
    eprintln!(
        "real-browser OAuth flow took {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

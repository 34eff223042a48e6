//! The real app under WebDriver: the built `outpost-desktop` binary in sandbox mode, in a
//! real WebKitGTK window on Xvfb, driven through tauri-driver and WebKitWebDriver inside a
//! private D-Bus session. One creator's first session, end to end:
//!
//! 1. TikTok is connected from its Connect page: the test plays the system browser, approves
//!    on the sandbox's authorize page and follows the redirect to the app's loopback
//!    listener (TikTok allows no custom scheme, see docs/platforms.md).
//! 2. Reddit is connected through a deep link: its sandbox redirects to
//!    `outpost://oauth/callback?…`, which a second launch of the binary hands to the running
//!    window (tauri-plugin-single-instance), as a browser does on a desktop.
//! 3. A video is chosen in the real GTK file chooser (typed in with xdotool), the TikTok
//!    form's required choices are made, and Publish queues it.
//! 4. The Queue page shows it published; the sandbox clock is moved six hours on so the
//!    video has views; Sync now on the dashboard brings its numbers into the posts table.
//! 5. Settings: "Start Outpost when I log in" writes the XDG autostart entry for this
//!    binary, and turning it off removes it.
//!
//! Screenshots of every page of the real window are written to
//! `ui/test-results/screenshots/desktop-*.png` (CI keeps that folder as an artifact).
//!
//! Needs Xvfb, dbus-run-session, xdotool, WebKitWebDriver and tauri-driver
//! (`scripts/install-deps.sh test` installs them all). Without them the test is skipped with
//! a note, unless `OUTPOST_REQUIRE_DESKTOP=1` (set by `scripts/test.sh`) makes that a failure.

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use support::{skip_without, Desktop, Killed};

const APP: &str = env!("CARGO_BIN_EXE_outpost-desktop");

/// Long enough for a debug build on a busy 2-core machine; only ever waited in full when
/// something is broken.
const STEP: Duration = Duration::from_secs(60);

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/test-results/screenshots")
}

/// The session bus address tauri-driver's shell wrote into the home.
fn bus(desk: &Desktop) -> Option<String> {
    std::fs::read_to_string(desk.home.path().join("bus"))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// `xdotool` against the desktop's display.
fn xdotool(desk: &Desktop, args: &[&str]) -> Res<String> {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", &desk.display)
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

async fn wait_until<T, F, Fut>(what: &str, mut probe: F) -> Res<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return Ok(v);
        }
        if start.elapsed() > STEP {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The first element matching `css` whose text contains `text`, once there is one.
async fn find_text(c: &Client, css: &str, text: &str) -> Res<Element> {
    wait_until(&format!("{css} containing {text:?}"), || async {
        for e in c.find_all(Locator::Css(css)).await.ok()? {
            if e.text().await.ok()?.contains(text) {
                return Some(e);
            }
        }
        None
    })
    .await
}

async fn find(c: &Client, css: &str) -> Res<Element> {
    Ok(c.wait()
        .at_most(STEP)
        .for_element(Locator::Css(css))
        .await?)
}

async fn button(c: &Client, label: &str) -> Res<Element> {
    find_text(c, "button, a.button", label).await
}

async fn go(c: &Client, page: &str) -> Res<()> {
    find_text(c, "nav a", page).await?.click().await?;
    find_text(c, "main h1", page).await?;
    Ok(())
}

async fn shoot(c: &Client, name: &str) -> Res<()> {
    let png = c.screenshot().await?;
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(format!("desktop-{name}.png")), png)?;
    Ok(())
}

/// Start a sign-in from the platform's Connect page; the authorize page's address as shown.
async fn start_connect(c: &Client, platform: &str) -> Res<String> {
    go(c, "Connect").await?;
    button(c, &format!("Connect {platform}"))
        .await?
        .click()
        .await?;
    find_text(c, "main h1", platform).await?;
    button(c, &format!("Connect {platform}"))
        .await?
        .click()
        .await?;
    let field = find(c, "#authorize-url").await?;
    let url = wait_until("the sign-in address", || async {
        field
            .prop("value")
            .await
            .ok()
            .flatten()
            .filter(|v| v.starts_with("http"))
    })
    .await?;
    Ok(url)
}

async fn connected(c: &Client, platform: &str) -> Res<String> {
    let note = find(c, "[data-testid=connect-success]").await?;
    let text = note.text().await?;
    assert!(text.contains("Connected as"), "{platform}: {text}");
    Ok(text)
}

/// Choose `file` in the real GTK file chooser the "Choose a file…" button opens.
async fn choose_in_file_chooser(c: &Client, desk: &Desktop, file: &Path) -> Res<()> {
    button(c, "Choose a file").await?.click().await?;
    let window = wait_until("the file chooser", || async {
        xdotool(desk, &["search", "--name", "Choose a video or image"])
            .ok()?
            .lines()
            .last()
            .map(str::to_owned)
    })
    .await?;
    xdotool(desk, &["windowfocus", "--sync", &window])?;
    xdotool(desk, &["key", "ctrl+l"])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    xdotool(desk, &["type", "--delay", "10", &file.to_string_lossy()])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    xdotool(desk, &["key", "Return"])?;
    Ok(())
}

async fn creators_first_session(c: &Client, desk: &Desktop, video: &Path) -> Res<()> {
    find_text(c, "body", "Sandbox mode").await?;
    find_text(c, "main", "Connect your accounts").await?;
    shoot(c, "connect").await?;

    // 1. TikTok: the test is the browser; the redirect lands on the app's loopback listener.
    let authorize = start_connect(c, "TikTok").await?;
    shoot(c, "connect-tiktok-waiting").await?;
    let redirect = outpost_sandbox::consent::decide(&authorize, true, None).await?;
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    let page = reqwest::get(&redirect).await?;
    assert!(
        page.status().is_success(),
        "loopback answered {}",
        page.status()
    );
    let said = page.text().await?;
    assert!(said.contains("is connected to Outpost"), "{said}");
    connected(c, "TikTok").await?;
    shoot(c, "connect-tiktok-connected").await?;

    // 2. Reddit: the redirect is an outpost: link, handed over by a second launch.
    let authorize_reddit = start_connect(c, "Reddit").await?;
    let link = outpost_sandbox::consent::decide(&authorize_reddit, true, None).await?;
    assert!(link.starts_with("outpost://oauth/callback?"), "{link}");
    let bus = bus(desk).ok_or("no D-Bus address")?;
    let mut second = Command::new(APP);
    desk.env(&mut second);
    second
        .arg(&link)
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let status = tokio::task::spawn_blocking(move || second.status()).await??;
    assert!(status.success(), "the second launch exited with {status}");
    connected(c, "Reddit").await?;
    go(c, "Connect").await?;
    find_text(c, "main", "Reddit").await?;
    shoot(c, "connect-all").await?;

    // 3. Publish a video to TikTok from the form.
    go(c, "Publish").await?;
    choose_in_file_chooser(c, desk, video).await?;
    find_text(c, "[data-testid=chosen-file]", "MP4").await?;
    let target = find_text(c, "label.check", "TikTok @").await?;
    target.find(Locator::Css("input")).await?.click().await?;
    let form = find(c, "[data-testid=tiktok-form]").await?;
    find_text(c, "[data-testid=tiktok-posting-as]", "").await?;
    // Privacy has no default: choose the first level the creator allows.
    form.find(Locator::Css("input[type=radio]"))
        .await?
        .click()
        .await?;
    form.find(Locator::Css(".consent input"))
        .await?
        .click()
        .await?;
    let caption = "Ridge at dusk, from the real window";
    find(c, "#caption").await?.send_keys(caption).await?;
    shoot(c, "publish-filled").await?;
    let publish = wait_until("the Publish button", || async {
        for b in c.find_all(Locator::Css("main button")).await.ok()? {
            if b.text().await.ok()?.trim() == "Publish" {
                return Some(b);
            }
        }
        None
    })
    .await?;
    publish.click().await?;
    find_text(c, "[data-testid=publish-results]", "queued as job").await?;
    shoot(c, "publish-queued").await?;

    // 4. The queue shows it published.
    go(c, "Queue").await?;
    find(c, "li.job[data-state=published]").await.map_err(|e| {
        format!(
            "the job never reached published ({e}); logs:\n{}",
            desk.logs()
        )
    })?;
    shoot(c, "queue").await?;

    // Six hours later on the platform's clock, the video has views; Sync now fetches them.
    // The sandbox serves every platform from one origin; its control API is at the root.
    let advance = url::Url::parse(&authorize)?.join("/_sandbox/clock/advance")?;
    let moved = reqwest::Client::new()
        .post(advance)
        .json(&json!({"seconds": 6 * 3600}))
        .send()
        .await?;
    assert!(moved.status().is_success(), "{}", moved.status());

    go(c, "Analytics").await?;
    find_text(c, "#account option", "TikTok")
        .await?
        .click()
        .await?;
    button(c, "Sync now").await?.click().await?;
    let row = find_text(c, "[data-testid=posts-table] tbody tr", "Ridge at dusk").await?;
    let views = wait_until("views on the dashboard", || async {
        let cells = row.find_all(Locator::Css("td")).await.ok()?;
        // Columns: Posted, Views, …
        let text = cells.get(1)?.text().await.ok()?;
        let n: u64 = text.replace([',', '.', ' ', '\u{a0}'], "").parse().ok()?;
        (n > 0).then_some(n)
    })
    .await?;
    assert!(views > 0);
    find_text(c, "[data-testid=totals]", "").await?;
    shoot(c, "analytics").await?;

    go(c, "Diagnostics").await?;
    shoot(c, "diagnostics").await?;
    go(c, "Settings").await?;
    find_text(c, "main", "Sandbox").await?;
    shoot(c, "settings").await?;

    // Start at login: the system's own mechanism, here an XDG autostart entry for this binary.
    // tauri-plugin-autostart (auto-launch) writes to ~/.config/autostart whatever
    // XDG_CONFIG_HOME says.
    let autostart = desk.home.path().join(".config/autostart");
    find_text(c, "label.check", "Start Outpost when I log in")
        .await?
        .find(Locator::Css("input"))
        .await?
        .click()
        .await?;
    button(c, "Save settings").await?.click().await?;
    let entry = wait_until("the autostart entry", || async {
        std::fs::read_dir(&autostart)
            .ok()?
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "desktop"))
            .and_then(|e| std::fs::read_to_string(e.path()).ok())
    })
    .await?;
    assert!(entry.contains(APP), "{entry}");
    find_text(c, "label.check", "Start Outpost when I log in")
        .await?
        .find(Locator::Css("input"))
        .await?
        .click()
        .await?;
    button(c, "Save settings").await?.click().await?;
    wait_until("the autostart entry to go", || async {
        let left = std::fs::read_dir(&autostart)
            .map(|d| d.flatten().count())
            .unwrap_or(0);
        (left == 0).then_some(())
    })
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg(target_os = "linux")]
async fn connect_publish_and_see_the_numbers_in_the_real_window() {
    if skip_without(&[
        "Xvfb",
        "dbus-run-session",
        "xdotool",
        "WebKitWebDriver",
        "tauri-driver",
    ]) {
        return;
    }
    let desk = Desktop::start(700);
    // This run's screenshots only (the browser tests' files beside them stay).
    for e in std::fs::read_dir(screenshot_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        if e.file_name().to_string_lossy().starts_with("desktop-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let video = desk.home.path().join("Videos/ridge-at-dusk.mp4");
    std::fs::create_dir_all(video.parent().unwrap()).unwrap();
    outpost_core::media::fixture::write_mp4(&video, 12, 3 * 1024 * 1024).unwrap();

    let port = free_port();
    let native = free_port();
    let bus_file = desk.home.path().join("bus");
    let mut driver = desk.session();
    driver
        .args([
            "sh",
            "-c",
            r#"echo "$DBUS_SESSION_BUS_ADDRESS" > "$1"; exec tauri-driver --port "$2" --native-port "$3""#,
            "driver",
        ])
        .arg(&bus_file)
        .arg(port.to_string())
        .arg(native.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _driver = Killed(driver.spawn().expect("dbus-run-session tauri-driver"));

    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert("tauri:options".into(), json!({ "application": APP }));
    let webdriver = format!("http://127.0.0.1:{port}");
    // tauri-driver needs a moment to listen; the window a moment to load.
    let client = wait_until("a WebDriver session", || async {
        tokio::time::timeout(
            Duration::from_secs(30),
            ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&webdriver),
        )
        .await
        .ok()?
        .ok()
    })
    .await
    .expect("tauri-driver started the app");

    let outcome = tokio::time::timeout(
        Duration::from_secs(480),
        creators_first_session(&client, &desk, &video),
    )
    .await;
    if !matches!(outcome, Ok(Ok(()))) {
        let _ = shoot(&client, "failure").await;
    }
    let _ = client.close().await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{e}\n--- app log ---\n{}", desk.logs()),
        Err(_) => panic!("the session took over 8 minutes\n{}", desk.logs()),
    }
    let log = desk.logs();
    assert!(log.contains("engine started"), "{log}");
}

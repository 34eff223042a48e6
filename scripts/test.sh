#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it:
#   1. the web UI (ui/): type check, unit tests (vitest), production build into ui/dist, and
#      the browser tests in Debian's Chromium (Playwright, IPC mocked), screenshots in
#      ui/test-results/screenshots/;
#   2. formatting and lints of every crate, the desktop shell included;
#   3. every Rust test, with a private D-Bus session and an unlocked gnome-keyring so that
#      the OS-keyring tests run against a real Secret Service without touching your own
#      keyring; the desktop tests start the real window under their own Xvfb, and the
#      WebDriver test drives it through tauri-driver (the real window's screenshots join the
#      browser tests' ones, as desktop-*.png);
#   4. the .deb bundle (scripts/bundle.sh --debug), checked for its outpost: link handler.
# Extra arguments go to `cargo test` (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh test
. scripts/env.sh
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== web UI: npm ci, type check, unit tests, build"
(
  cd ui
  npm ci --no-audit --no-fund --loglevel=error
  npm run check
  npm test
  npm run build
  echo "== web UI: browser tests in Chromium"
  npm run test:browser
)

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

# Isolated desktop session for the keyring: its own XDG dirs, its own bus.
session="$(mktemp -d)"
trap 'rm -rf "$session"' EXIT
mkdir -p "$session/data" "$session/config" "$session/cache" "$session/runtime"
chmod 700 "$session/runtime"

echo "== cargo test (with a private Secret Service; the real window under Xvfb)"
XDG_DATA_HOME="$session/data" XDG_CONFIG_HOME="$session/config" \
XDG_CACHE_HOME="$session/cache" XDG_RUNTIME_DIR="$session/runtime" \
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "outpost-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  OUTPOST_TEST_SECRET_SERVICE=1 OUTPOST_REQUIRE_BROWSER=1 OUTPOST_REQUIRE_DESKTOP=1 \
    cargo test --workspace --locked "$@"
' outpost-tests "$@"

echo "== .deb bundle (debug build) and its desktop entry"
./scripts/bundle.sh --debug

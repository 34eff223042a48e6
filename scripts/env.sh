# Sourced by the other scripts: the toolchains install-deps.sh may have put in private
# places, and cargo's build output outside the checkout (a Tauri build is several GB, and CI
# clones fresh).
# shellcheck shell=bash
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
if [ -x "$HOME/.cache/outpost/node/bin/node" ]; then
  export PATH="$HOME/.cache/outpost/node/bin:$PATH"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outpost/target}"
# The UI's browser tests use Debian's Chromium: Playwright must never download one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

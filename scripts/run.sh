#!/usr/bin/env bash
# Builds and opens Outpost: the desktop window, in sandbox mode until you add platform
# credentials (Settings, or docs/connecting-accounts.md). Builds the web UI (ui/dist) and
# the app the first time and whenever they changed.
#   scripts/run.sh                 the desktop app
#   scripts/run.sh outpost ARGS    the `outpost` command instead, e.g. scripts/run.sh outpost status
# Without a display (a server, an SSH session) the window cannot open: the app says so and
# points to the `outpost` command.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh build
. scripts/env.sh

if [ "${1:-}" = "outpost" ]; then
  shift
  cargo build --locked -q -p outpost-cli
  exec "$CARGO_TARGET_DIR/debug/outpost" "$@"
fi

(
  cd ui
  # node_modules is refreshed only when the lock file changed since the last install.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  npm run -s build >/dev/null
)
cargo build --locked -q -p outpost-desktop
exec "$CARGO_TARGET_DIR/debug/outpost-desktop" "$@"

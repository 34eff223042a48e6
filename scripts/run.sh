#!/usr/bin/env bash
# Builds and runs Outpost. Without arguments it shows the status of your Outpost data
# (sandbox mode when no platform credentials are configured); any arguments are passed
# to the `outpost` command, e.g. scripts/run.sh vault status.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh build
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/outpost/target}"

if [ "$#" -eq 0 ]; then set -- status; fi
cargo build --locked -q -p outpost-cli
exec "$CARGO_TARGET_DIR/debug/outpost" "$@"

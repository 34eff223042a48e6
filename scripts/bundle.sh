#!/usr/bin/env bash
# Builds the Debian package of the desktop app with the Tauri CLI (`tauri build --bundles
# deb`, from ui/node_modules) and checks what matters in it: the desktop entry hands
# outpost: links to the app (`Exec=… %u`, `MimeType=x-scheme-handler/outpost;`).
#   scripts/bundle.sh            release build: $CARGO_TARGET_DIR/release/bundle/deb/*.deb
#   scripts/bundle.sh --debug    packages the debug binary already built (what scripts/test.sh checks)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh build
. scripts/env.sh

profile=release
args=(build --bundles deb --ci)
if [ "${1:-}" = "--debug" ]; then
  # Package the debug binary as it is (scripts/test.sh has just built it for the tests):
  # `tauri build` would build the crate again on its own, with other feature choices for
  # the shared dependencies than the workspace build, so recompile half of them.
  profile=debug
  args=(bundle --debug --bundles deb --ci)
fi

(
  cd ui
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  npm run -s build >/dev/null
)
if [ "$profile" = debug ] && [ ! -x "$CARGO_TARGET_DIR/debug/outpost-desktop" ]; then
  cargo build --locked -p outpost-desktop
fi
(cd crates/desktop && ../../ui/node_modules/.bin/tauri "${args[@]}")

deb=$(ls -t "$CARGO_TARGET_DIR/$profile/bundle/deb/"*.deb | head -n 1)
check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
dpkg-deb -x "$deb" "$check"
entry=$(ls "$check"/usr/share/applications/*.desktop)
fail() { echo "bundle: $entry: $*" >&2; exit 1; }
grep -Eq '^Exec=.* %u$' "$entry" || fail "the Exec line does not end in %u: $(grep '^Exec=' "$entry")"
grep -qx 'MimeType=x-scheme-handler/outpost;' "$entry" || fail "no MimeType=x-scheme-handler/outpost;"
exec_bin=$(grep '^Exec=' "$entry" | sed -E 's/^Exec=([^ ]+).*/\1/')
[ -x "$check/usr/bin/$(basename "$exec_bin")" ] || fail "Exec names $exec_bin, which the package does not install"
if command -v desktop-file-validate >/dev/null 2>&1; then desktop-file-validate "$entry"; fi
size=$(stat -c %s "$deb")
echo "bundle: $deb ($(awk -v s="$size" 'BEGIN { printf "%.2f MiB", s / 1048576 }')): desktop entry hands outpost: links to the app"

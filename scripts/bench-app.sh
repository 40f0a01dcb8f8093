#!/usr/bin/env bash
# Benchmarks the desktop app on a 100,000-token vault (see tests/e2e/bench.mjs) and
# prints a Markdown table. Needs the release app and CLI (make bench-app builds them).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$HOME/.cache/tessera/target}
# The CLI as the package ships it, for the palette's `tessera palette`.
export TESSERA_APP=${TESSERA_APP:-$target/release/tessera-app} TESSERA_CLI=${TESSERA_CLI:-$target/release/tessera}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BENCH_HOME="$work/vault" XDG_DATA_HOME="$work/xdg" NO_AT_BRIDGE=1
# A second vault of the same tokens behind a master password, for the unlock figure.
export BENCH_PASSWORD_HOME="$work/password-vault" BENCH_PASSWORD="tessera-bench-password"
(cd tests/e2e && { [ -d node_modules ] || npm ci --no-audit --no-fund; })
dbus-run-session -- sh -c '
  echo -n tessera-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "'"$target"'/release/examples/seed" "$BENCH_HOME" 100000
  SEED_PASSWORD="$BENCH_PASSWORD" "'"$target"'/release/examples/seed" "$BENCH_PASSWORD_HOME" 100000
  export BENCH_KDF_MS=$("'"$target"'/release/examples/seed" --kdf)
  sync
  xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/bench.mjs
  xvfb-run -a -s "-screen 0 1280x800x24" /usr/bin/python3 scripts/bench-palette.py
' 2> >(grep -v "Failed to set fd limit" >&2)

#!/usr/bin/env bash
# One search from the shell, whole process, at 100,000 tokens: `tessera list QUERY`
# beside `fzf --filter QUERY` on the same names, in the same run. Seeds a keyring vault
# (examples/seed.rs) in a private D-Bus session and prints a Markdown table.
# Needs the release CLI and seed example: `make bench` builds them.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$HOME/.cache/tessera/target}
runs=${BENCH_RUNS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TESSERA_HOME="$work/vault" TESSERA_STATE_HOME="$work/state" XDG_DATA_HOME="$work/xdg"
export TESSERA="$target/release/tessera" SEED="$target/release/examples/seed" NAMES="$work/names.txt" RUNS="$runs"
command -v fzf >/dev/null || echo "fzf is not installed: its columns stay empty" >&2
dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n tessera-bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$SEED" "$TESSERA_HOME" 100000 "$NAMES"
  # p50 and p99 in ms of $RUNS runs of the command given (stdout discarded).
  times() {
    local i start
    for ((i = 0; i < RUNS; i++)); do
      start=$EPOCHREALTIME
      "$@" >/dev/null || [ $? -eq 1 ]
      echo "$start $EPOCHREALTIME"
    done | awk "{ print (\$2 - \$1) * 1000 }" | sort -n | awk "{ v[NR] = \$1 } END {
      p50 = v[int((NR - 1) * 0.50 + 1.5)]; p99 = v[int((NR - 1) * 0.99 + 1.5)];
      printf \"%.1f %.1f\", p50, p99 }"
  }
  fzf_filter() { fzf --filter="$1" < "$NAMES"; }
  "$TESSERA" list >/dev/null  # a first open migrates nothing, warms the file cache
  echo "| command (100,000 tokens) | Tessera p50 ms | Tessera p99 ms | fzf --filter p50 ms | fzf p99 ms | target ≤ 60 ms (p99) |"
  echo "|---|---:|---:|---:|---:|---|"
  read -r t50 t99 <<< "$(times "$TESSERA" list)"
  echo "| tessera list | $t50 | $t99 | | | |"
  for query in d dep deploy prodbil "backup 0009" zzz; do
    read -r t50 t99 <<< "$(times "$TESSERA" list "$query")"
    f50="" f99=""
    if command -v fzf >/dev/null; then read -r f50 f99 <<< "$(times fzf_filter "$query")"; fi
    verdict=$(awk -v p="$t99" "BEGIN { print (p <= 60 ? \"met\" : \"missed\") }")
    echo "| tessera list \"$query\" | $t50 | $t99 | $f50 | $f99 | $verdict |"
  done
' 2> >(grep -v "Failed to set fd limit" >&2)

#!/usr/bin/env bash
# Fuzzes Tessera's parsers with cargo-fuzz (libFuzzer) on stable Rust, with no sanitizer
# (the address sanitizer needs nightly): `scripts/fuzz.sh SECONDS [TARGET...]` runs each
# target for SECONDS, starting from the seed corpus in fuzz/corpus/TARGET (copied, so a
# run adds nothing to the checkout). A panic, a timeout or running out of memory fails
# the run and leaves the input in fuzz/artifacts/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
seconds=${1:?usage: fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(verify jwt token_file token_shape header command_args ipc_requests import_files)
# Its own target folder: fuzzing builds with other flags than the workspace.
export CARGO_TARGET_DIR="$HOME/.cache/tessera/fuzz-target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  cp fuzz/corpus/"$target"/* "$work/$target/" 2>/dev/null || true
  echo "fuzz $target: $seconds s"
  if ! (cd fuzz && cargo fuzz run --sanitizer none "$target" "$work/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1) \
    >"$work/$target.log" 2>&1; then
    tail -n 40 "$work/$target.log" >&2
    echo "fuzz $target FAILED: the input is in fuzz/artifacts/$target" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$work/$target.log" | sed "s/^/  /"
done

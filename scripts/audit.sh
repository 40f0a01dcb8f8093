#!/usr/bin/env bash
# Supply-chain audit: cargo deny (advisories, licenses, bans, sources) over the Rust
# workspace and npm audit over the UI's packages.
#
# Works offline: the RustSec advisory database comes from the snapshot in
# third_party/rustsec-advisory-db.tar.xz, or from TESSERA_ADVISORY_DB=DIR (a checkout
# of rustsec/advisory-db) when set.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

cache="$HOME/.cache/tessera/advisory-db"
# cargo-deny looks for the default database in a folder named after its URL's hash.
db="$cache/advisory-db-3157b0e258782691"
rm -rf "$db"
mkdir -p "$db"
if [ -n "${TESSERA_ADVISORY_DB:-}" ]; then
  [ -d "$TESSERA_ADVISORY_DB/crates" ] || { echo "error: TESSERA_ADVISORY_DB=$TESSERA_ADVISORY_DB holds no crates/ folder of advisories" >&2; exit 1; }
  cp -R "$TESSERA_ADVISORY_DB/." "$db/"
  rm -rf "$db/.git"
else
  tar -C "$db" --strip-components=1 -xJf third_party/rustsec-advisory-db.tar.xz
fi
# cargo-deny reads a git repository and calls one stale after 90 days without a
# commit: record the snapshot as of now (the advisories carry their own dates).
(cd "$db" && git init -q -b main && git add -A &&
  git -c user.name=tessera -c user.email=audit@localhost commit -qm "advisory database snapshot")

# cargo deny reads `cargo metadata` for every platform: the crates of all targets in
# Cargo.lock must be in the local registry cache (a no-op once they are).
cargo fetch --locked --quiet
cargo deny --offline check advisories licenses bans sources

# npm audit asks the registry's advisory endpoint; there is no offline database for it.
# Found vulnerabilities fail the audit; an unreachable endpoint is reported, loudly.
set +e
npm_out=$(cd ui && npm audit --audit-level=moderate 2>&1)
npm_status=$?
set -e
if [ $npm_status -ne 0 ] && grep -q "audit endpoint returned an error\|ENOTFOUND\|ECONNREFUSED\|EAI_AGAIN" <<<"$npm_out"; then
  echo "WARNING: npm audit of ui/ did not run: the registry's audit endpoint is not reachable from here" >&2
elif [ $npm_status -ne 0 ]; then
  echo "$npm_out" >&2
  exit $npm_status
else
  echo "npm audit (ui/): $(tail -n 1 <<<"$npm_out")"
fi

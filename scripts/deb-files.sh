#!/usr/bin/env bash
# Stages what the .deb ships beside the app (src-tauri/tauri.conf.json, bundle.linux.deb
# .files): the `tessera` command given as $1, its shell completions and its manual page,
# generated from the command's own clap definitions, the app's manual page (also the window's) and the
# changelog (packaging/). Into target/deb/. The copy of the command is stripped.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:?usage: deb-files.sh PATH_TO_TESSERA}
stage=target/deb
rm -rf "$stage"
mkdir -p "$stage"
install -m 0755 "$cli" "$stage/tessera"
strip --strip-unneeded "$stage/tessera"
"$cli" completion bash > "$stage/tessera.bash"
"$cli" completion zsh > "$stage/_tessera"
"$cli" completion fish > "$stage/tessera.fish"
"$cli" man | gzip -9n > "$stage/tessera.1.gz"
gzip -9n < packaging/tessera-app.1 > "$stage/tessera-app.1.gz"
printf '.so man1/tessera-app.1\n' | gzip -9n > "$stage/tessera-window.1.gz"
gzip -9n < packaging/changelog > "$stage/changelog.gz"

#!/usr/bin/env bash
# Strips the programs inside a .deb the Tauri bundler made (it packages the binary it
# built as it is, symbols and all; the build keeps them for profiling), in place.
set -euo pipefail
deb=$(realpath "${1:?usage: deb-strip.sh PACKAGE.deb}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$deb" "$work/root"
strip --strip-unneeded "$work/root/usr/bin/"*
# Installed-Size follows what is shipped now (KiB).
size=$(du -sk --exclude=DEBIAN "$work/root" | cut -f1)
sed -i "s/^Installed-Size: .*/Installed-Size: $size/" "$work/root/DEBIAN/control"
(cd "$work/root" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's| \./| |') > "$work/root/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz -b "$work/root" "$deb" >/dev/null

#!/usr/bin/env bash
# The package a person installs, installed here as they would: `apt install` of the
# built .deb, its programs run from /usr/bin, the completions and the manual page where
# the shells and man look, lintian without an error, and `apt remove` leaving nothing of
# it. Needs root (make test runs as root in CI) and lintian.
set -euo pipefail
deb=${1:?usage: install.sh PACKAGE.deb}
deb=$(realpath "$deb")
fail() { echo "deb test: $*" >&2; exit 1; }

echo "== lintian $deb"
# Errors fail the test; warnings and notes are printed for a person to read.
lintian --tag-display-limit 0 "$deb" | tee /tmp/tessera-lintian.txt || true
if grep -q "^E:" /tmp/tessera-lintian.txt; then fail "lintian reports errors"; fi

control=$(dpkg-deb --field "$deb")
echo "$control"
depends=$(dpkg-deb --field "$deb" Depends)

duplicates=$(tr ',' '\n' <<< "$depends" | sed 's/^ *//; s/ .*//' | sort | uniq -d)
[ -z "$duplicates" ] || fail "Depends lists twice: $duplicates"
dpkg-deb --field "$deb" Maintainer | grep -q "<.*@.*>" || fail "the maintainer has no address"

package=$(dpkg-deb --field "$deb" Package)
if dpkg -s "$package" >/dev/null 2>&1; then fail "$package is installed already; remove it first"; fi
echo "== apt install $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >/tmp/tessera-apt.txt 2>&1 || { cat /tmp/tessera-apt.txt; fail "apt could not install it"; }
trap 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$package" >/dev/null 2>&1 || true' EXIT

/usr/bin/tessera --version | grep -q "^tessera " || fail "/usr/bin/tessera --version"
/usr/bin/tessera-app --version | grep -q "^tessera-app " || fail "/usr/bin/tessera-app --version"
# The launcher links no toolkit; the window beside it, which it starts, does.
[ -x /usr/bin/tessera-window ] || fail "/usr/bin/tessera-window is missing"
if readelf -d /usr/bin/tessera-app | grep NEEDED | grep -q -e libgtk -e libwebkit2gtk; then
  fail "/usr/bin/tessera-app links a toolkit"
fi
readelf -d /usr/bin/tessera-window | grep NEEDED | grep -q libwebkit2gtk || fail "/usr/bin/tessera-window links no WebKitGTK"
for file in /usr/share/bash-completion/completions/tessera /usr/share/zsh/vendor-completions/_tessera \
  /usr/share/fish/vendor_completions.d/tessera.fish /usr/share/man/man1/tessera.1.gz \
  /usr/share/man/man1/tessera-app.1.gz /usr/share/man/man1/tessera-window.1.gz \
  /usr/share/doc/"$package"/copyright; do
  [ -s "$file" ] || fail "$file is missing"
done
bash -c 'source /usr/share/bash-completion/completions/tessera && complete -p tessera' | grep -q _tessera \
  || fail "the bash completion does not load"
man -P cat tessera 2>/dev/null | grep -q "tessera" || zcat /usr/share/man/man1/tessera.1.gz | grep -q '^\.TH tessera 1' \
  || fail "the manual page does not read"
echo "== apt remove $package"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$package" >/dev/null 2>&1 || fail "apt could not remove it"
trap - EXIT
for file in /usr/bin/tessera /usr/bin/tessera-app /usr/bin/tessera-window /usr/share/man/man1/tessera.1.gz; do
  [ ! -e "$file" ] || fail "$file is left after removal"
done
echo "deb test: installed, ran, removed"

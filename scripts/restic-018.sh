#!/usr/bin/env bash
# Fetches Debian 13 ("trixie")'s restic (0.18) into .cache/restic-trixie/ without installing it, and
# prints the binary's path. A private apt configuration whose one source is this machine's own Debian
# mirror (read from its apt sources: no host name is written here) with the suite trixie; the package
# is unpacked with dpkg-deb, never installed. restic is a static Go program, so it runs on Debian 12.
# Fails loudly when it cannot get it. Elsewhere: download any restic release binary and point
# RESTIC_BINARY at it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.cache/restic-trixie"
binary="$root/x/usr/bin/restic"
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi
fail() {
  echo "restic-018: $*" >&2
  exit 1
}
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || fail "needs apt-get and dpkg-deb (Debian/Ubuntu); elsewhere set RESTIC_BINARY to a restic 0.18 release binary"

# The machine's Debian mirror: the first non-security URI of a deb source, deb822 or one-line format.
mirror=$(
  {
    cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ { print $2 }'
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }'
  } | grep -v security | grep -m1 /debian || true
)
[ -n "$mirror" ] || fail "found no Debian mirror in /etc/apt/sources.list*; set RESTIC_BINARY to a restic 0.18 binary"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || fail "needs $keyring (package debian-archive-keyring)"

rm -rf "$root"
mkdir -p "$root/lists/partial" "$root/cache/archives/partial" "$root/x"
echo "deb [signed-by=$keyring] $mirror trixie main" >"$root/trixie.list"
apt_options=(
  -o "Dir::Etc::sourcelist=$root/trixie.list" -o "Dir::Etc::sourceparts=/dev/null" -o "Dir::State::Lists=$root/lists"
  -o "Dir::Cache=$root/cache" -o "APT::Get::List-Cleanup=false" -o "Debug::NoLocking=true"
)
echo "restic-018: fetching restic from trixie at $mirror" >&2
apt-get "${apt_options[@]}" update -qq >&2 || fail "apt-get update of trixie failed"
(cd "$root" && apt-get "${apt_options[@]}" download restic >&2) || fail "apt-get download restic failed"
deb=$(ls "$root"/restic_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no restic package was downloaded"
dpkg-deb -x "$deb" "$root/x"
[ -x "$binary" ] || fail "the package held no usr/bin/restic"
"$binary" version >&2 || fail "the downloaded restic does not run here"
echo "$binary"

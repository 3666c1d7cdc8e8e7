#!/usr/bin/env bash
# Captures what a real `restic check` prints (stdout, stderr, exit code per case), as text and with
# --json, into a folder named after the restic's version (e.g. 0.18.0/), with the version line in its
# captured-with.txt. ../../restic/commands/check.test.ts reads every version folder.
# Usage: bash capture.sh [restic-binary]
set -uo pipefail

restic_bin=${1:-restic}
version_line=$("$restic_bin" version) || { echo "cannot run $restic_bin" >&2; exit 1; }
# `restic 0.18.0 compiled with go1.24.4 on linux/amd64` -> 0.18.0
read -r _ version _ <<<"$version_line"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "no version in: $version_line" >&2; exit 1; }
dest="$(cd "$(dirname "$0")" && pwd)/$version"
rm -rf "$dest" && mkdir -p "$dest"
printf '%s\n' "$version_line" >"$dest/captured-with.txt"

# Paths in the captures stay the same between runs and versions.
LAB=/tmp/simplebackup-check-lab
rm -rf "$LAB" && mkdir -p "$LAB"
trap 'rm -rf "$LAB"' EXIT
export RESTIC_PASSWORD=fixture-password RESTIC_CACHE_DIR=$LAB/cache
unset RESTIC_REPOSITORY RESTIC_REPOSITORY_FILE RESTIC_PASSWORD_FILE RESTIC_PASSWORD_COMMAND
RESTIC=$restic_bin
OUT=$dest

# run NAME CMD... : NAME.stdout.txt, NAME.stderr.txt (both kept when empty) and NAME.rc
run() {
  local name=$1
  shift
  "$@" </dev/null >"$OUT/$name.stdout.txt" 2>"$OUT/$name.stderr.txt"
  echo $? >"$OUT/$name.rc"
  echo "$name: rc $(cat "$OUT/$name.rc")"
}

# Runs one case twice: as text (NAME) and with --json (NAME-json).
both() {
  local name=$1
  shift
  run "$name" "$@"
  run "$name-json" "$@" --json
}

# A repository with a 600 kB file (one data pack) and a small one; packs sorted by size, biggest first.
make_repo() {
  mkdir -p "$1-src"
  head -c 600000 /dev/urandom >"$1-src/data.bin"
  echo notes >"$1-src/notes.txt"
  "$RESTIC" -r "$1" init -q
  "$RESTIC" -r "$1" backup -q "$1-src"
}
packs_by_size() { find "$1/data" -type f -printf '%s %p\n' | sort -rn | cut -d' ' -f2; }
damage() { chmod 600 "$1" && printf 'damaged' | dd of="$1" bs=1 seek=300 conv=notrunc status=none; }

R=$LAB/sound
make_repo "$R"
both sound "$RESTIC" -r "$R" check
both subset "$RESTIC" -r "$R" check --read-data-subset 1/2
both percent "$RESTIC" -r "$R" check --read-data-subset 50%
both wrong-password env RESTIC_PASSWORD=not-the-password "$RESTIC" -r "$R" check

# A pack no index knows of (a copy under another name): non-critical, restic suggests prune.
O=$LAB/orphan
make_repo "$O"
big=$(packs_by_size "$O" | head -n 1)
cp "$big" "$(dirname "$big")/$(printf '%064d' 0)"
both orphan "$RESTIC" -r "$O" check

# The data pack damaged: found only when the data is read.
D=$LAB/data-damaged
make_repo "$D"
damage "$(packs_by_size "$D" | head -n 1)"
both data-damaged "$RESTIC" -r "$D" check --read-data

# The tree pack damaged: the snapshot's tree cannot be read, so the structure check finds it too.
T=$LAB/tree-damaged
make_repo "$T"
damage "$(packs_by_size "$T" | tail -n 1)"
both tree-damaged "$RESTIC" -r "$T" check --read-data

# A data pack deleted.
M=$LAB/pack-missing
make_repo "$M"
rm -f "$(packs_by_size "$M" | head -n 1)"
both pack-missing "$RESTIC" -r "$M" check

# An exclusive lock of a live (stopped) check: the check cannot run.
L=$LAB/locked
make_repo "$L"
"$RESTIC" -r "$L" check --read-data >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 500); do
  ls "$L/locks" 2>/dev/null | grep -qv -- -tmp- && break
  sleep 0.01
done
kill -STOP "$holder"
both locked "$RESTIC" -r "$L" check
kill -CONT "$holder"
wait "$holder"

# Paths of the lab and lock ages differ between runs; nothing else should.
echo "captured into $OUT"

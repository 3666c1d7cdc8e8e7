#!/usr/bin/env bash
# The README's second command: the whole test suite, with what it needs installed first.
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
ensure_apt_package restic restic
# The remote-repository tests serve restic's REST protocol on 127.0.0.1 with `rclone serve restic`.
ensure_apt_package rclone rclone
prepare_workspace
pnpm exec biome check .
pnpm run typecheck
pnpm exec vitest run "$@"

#!/usr/bin/env bash
# The README's second command: the whole test suite, with what it needs installed first.
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
ensure_apt_package restic restic
# The remote-repository tests serve restic's REST protocol on 127.0.0.1 with `rclone serve restic`.
ensure_apt_package rclone rclone
ensure_apt_package ssh openssh-client # the reachable condition asks ssh -G where an sftp host is
# Every restic test runs on two restic versions (vitest.config.ts): the system's (Debian 12: 0.14) and
# Debian 13's 0.18, fetched into .cache/ without installing it. SIMPLEBACKUP_TEST_RESTICS overrides both.
if [ -z "${SIMPLEBACKUP_TEST_RESTICS:-}" ]; then
  bash scripts/restic-018.sh >/dev/null
fi
prepare_workspace
pnpm exec biome check .
pnpm run typecheck
pnpm exec vitest run "$@"

#!/usr/bin/env bash
# The README's second command: the whole test suite, with what it needs installed first.
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
ensure_apt_package restic restic
prepare_workspace
pnpm exec biome check .
pnpm run typecheck
pnpm exec vitest run "$@"

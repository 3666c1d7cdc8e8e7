#!/usr/bin/env bash
# The README's second command: the whole test suite, with what it needs installed first.
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
ensure_apt_package restic restic
# The remote-repository tests serve restic's REST protocol on 127.0.0.1 with `rclone serve restic`.
ensure_apt_package rclone rclone
ensure_apt_package ssh openssh-client # the reachable condition asks ssh -G where an sftp host is
# The database backup tests (issue 16) start private servers in temp folders (test/e2e/servers/) and back
# them up with the real dump tools. postgresql: the server (initdb, postgres) and pg_dump, pg_restore, psql;
# Debian keeps initdb and postgres off PATH in /usr/lib/postgresql/<major>/bin, so the server's presence is
# checked by pg_ctlcluster, which only the server packages bring.
ensure_apt_package pg_ctlcluster postgresql
ensure_apt_package pg_dump postgresql
ensure_apt_package psql postgresql
# mariadb-server: the server (mariadbd, in /usr/sbin) and mariadb-install-db; mariadb-client: mariadb-dump, mariadb.
ensure_apt_package mariadb-install-db mariadb-server
ensure_apt_package mariadb-dump mariadb-client
ensure_apt_package mariadb mariadb-client
# sqlite3: a SQLite database is dumped with `sqlite3 .dump` and restored by feeding the dump to sqlite3.
ensure_apt_package sqlite3 sqlite3
# The dashboard's page tests (issue 17) drive Debian's Chromium with playwright-core, which downloads no
# browser; test/e2e/browser/chromium.ts starts /usr/bin/chromium, so that is the one checked here.
ensure_apt_package chromium chromium
if ! chromium_version=$(/usr/bin/chromium --version 2>/dev/null); then
  echo "/usr/bin/chromium does not run; the browser tests need Debian's chromium: sudo apt-get install chromium" >&2
  exit 1
fi
echo "$chromium_version" >&2
# Every restic test runs on two restic versions (vitest.config.ts): the system's (Debian 12: 0.14) and
# Debian 13's 0.18, fetched into .cache/ without installing it. SIMPLEBACKUP_TEST_RESTICS overrides both.
if [ -z "${SIMPLEBACKUP_TEST_RESTICS:-}" ]; then
  bash scripts/restic-018.sh >/dev/null
fi
prepare_workspace
pnpm exec biome check .
pnpm run typecheck
pnpm exec vitest run "$@"

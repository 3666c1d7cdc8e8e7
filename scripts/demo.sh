#!/usr/bin/env bash
# The README's first command: back up examples/demo/sample with the classic demo config into a fresh
# local repository in a temp folder, then list the snapshot.
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
ensure_apt_package restic restic
prepare_workspace

work=$(mktemp -d "${TMPDIR:-/tmp}/simplebackup-demo.XXXXXX")
cp examples/demo/backup_config.json "$work/"
cp -R examples/demo/sample "$work/sample"
# The demo's run logs and history stay in its own folder, not in your state folder.
export SIMPLEBACKUP_STATE_DIR="$work/state"
echo "demo folder: $work (config, sample, repository and state)"
echo
node packages/cli/bin/simplebackup.mjs backup --config "$work/backup_config.json"
echo
node packages/cli/bin/simplebackup.mjs snapshots --config "$work/backup_config.json"
echo
node packages/cli/bin/simplebackup.mjs status --config "$work/backup_config.json"

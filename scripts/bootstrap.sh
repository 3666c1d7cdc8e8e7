# Shared by demo.sh and test.sh: makes pnpm, the workspace's dependencies, the build and restic ready.
# Sourced, not run.
set -euo pipefail
PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

pnpm() {
  # pnpm comes from the registry, not from the machine: corepack fails on mirrors that serve no signatures.
  npx --yes "pnpm@${PNPM_VERSION}" "$@"
}

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "simplebackup needs Node.js 20 or newer; this is $(node --version)." >&2
  exit 1
fi

ensure_apt_package() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing $2 with apt-get..." >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
  command -v "$1" >/dev/null 2>&1 && return 0
  cat >&2 <<MSG
$1 is required but was not found. Install it, then run this again:
  Debian/Ubuntu: sudo apt-get install $2
  Fedora:        sudo dnf install $2
  macOS:         brew install $2
MSG
  exit 1
}

prepare_workspace() {
  if [ "${CI:-}" = true ]; then pnpm install --frozen-lockfile --reporter=append-only; else pnpm install --reporter=silent; fi
  pnpm run build >/dev/null
}

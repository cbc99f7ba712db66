#!/usr/bin/env bash
# The pinned code generators (clients/package.json + package-lock.json: quicktype, typescript)
# into a cache outside the repo, with the machine's Node. Re-installs only when the lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${OPENCLAW_CODEGEN_CACHE:-$HOME/.cache/openclaw-gateway-codegen}"
mkdir -p "$cache"
if ! cmp -s clients/package-lock.json "$cache/package-lock.json" || [ ! -x "$cache/node_modules/.bin/quicktype" ]; then
  cp clients/package.json clients/package-lock.json "$cache/"
  (cd "$cache" && npm ci --silent --no-audit --no-fund)
fi
echo "$cache"

#!/usr/bin/env bash
# Prepares a bare machine (Node 20 or none, no pnpm) for this workspace and installs it.
# Node 24 and pnpm 10 go to /usr/local (corepack cannot fetch pnpm
# here, and `npm i -g node@24` without --prefix collides with the system node).
set -euo pipefail
export PATH="/usr/local/bin:$PATH"
export TURBO_TELEMETRY_DISABLED=1
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 24 ] || ! command -v pnpm >/dev/null 2>&1; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
  fi
  npm install -g --prefix /usr/local --allow-scripts=node node@24 pnpm@10 >/dev/null 2>&1 \
    || npm install -g --prefix /usr/local node@24 pnpm@10
  hash -r
fi
echo "setup: node $(node -v), pnpm $(pnpm -v)"
cd "$(dirname "$0")/.."
pnpm install --frozen-lockfile --reporter=append-only | tail -n 3

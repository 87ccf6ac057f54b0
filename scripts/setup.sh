#!/usr/bin/env bash
# Idempotent setup for a fresh machine: system packages, npm dependencies (root and e2e harness),
# and the training package's Python environment. `npm test` and `npm start` call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for pkg in chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

# Root extension dependencies.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Exactly the lock. package.json pins cbor-extract (cbor-x's optional native decoder) to 2.2.2:
  # the native helpers of 2.2.3 are not served by every registry, and a lock that cannot record
  # them makes `npm ci` refuse it (test/unit/lockfile.test.ts checks the lock is whole).
  npm ci --no-audit --no-fund
fi

# Feature-specific setup scripts (e2e harness, training venv) register themselves here.
for s in e2e/setup.sh training/setup.sh; do
  if [ -f "$s" ]; then bash "$s"; fi
done

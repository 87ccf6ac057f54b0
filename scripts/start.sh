#!/usr/bin/env bash
# `npm start`: set up a fresh machine, build and package the extension, and serve it in a real
# VS Code (code-server) on examples/. Prints the URL; stays in the foreground until Ctrl-C.
# PORT and HOST choose where it listens (default: a free port on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run package
cd e2e
exec node_modules/node/bin/node serve.ts

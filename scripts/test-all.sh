#!/usr/bin/env bash
# The README's test command (`npm test`): every test — TypeScript unit tests, the Python pipeline
# tests, and the end-to-end suite in a real VS Code (code-server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== build, typecheck, lint"
npm run build
npm run typecheck
npm run lint

echo "== unit tests"
npx vitest run

echo "== render tests (built webview bundles in headless Chromium)"
npx vitest run --config test/render/vitest.config.ts
npx tsx test/render/caseTable/caseTable.render.ts --screenshot test-output/render/caseTable.png

if [ -f training/test.sh ]; then
  echo "== python pipeline tests"
  bash training/test.sh
fi

if [ -f e2e/package.json ]; then
  echo "== end-to-end tests (code-server)"
  npm run package
  (cd e2e && npm test)
fi

#!/usr/bin/env node
// The CLI is bundled by `npm run build` into dist/cli.js; this shim only forwards to it.
require('../dist/cli.js');

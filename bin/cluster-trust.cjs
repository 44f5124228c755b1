#!/usr/bin/env node
'use strict';
// The CLI is bundled to dist/cli.cjs by `npm run build` (see scripts/build-main.mjs).
try {
  require('../dist/cli.cjs');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.cjs')) {
    process.stderr.write('cluster-trust: not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}

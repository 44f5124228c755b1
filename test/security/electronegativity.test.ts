/**
 * @doyensec/electronegativity over src-main, as an extra check beside our own security tests (it is
 * unmaintained since 2024, so it cannot be the only one). Every finding must be in the reviewed list
 * (electronegativity-known.json, each with why it is not a problem); a new finding fails, and so
 * does a listed one that no longer occurs, so the list stays honest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cleanup, tempDir } from '../helpers/cli.ts';

interface Known {
  check: string;
  file: string;
  why: string;
}
interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }>;
}

const BIN = join(ROOT, 'node_modules', '.bin', 'electronegativity');
const known = (JSON.parse(readFileSync(join(ROOT, 'test', 'security', 'electronegativity-known.json'), 'utf8')) as { known: Known[] }).known;
const key = (check: string, file: string): string => `${check} ${file}`;

test('electronegativity finds nothing in src-main beyond the reviewed false positives', { skip: existsSync(BIN) ? false : 'NOT RUN: @doyensec/electronegativity is not installed (npm install)' }, () => {
  for (const k of known) assert.ok(k.why.length > 20, `${key(k.check, k.file)} needs a reason`);
  const dir = tempDir('ct-electronegativity-');
  try {
    const out = join(dir, 'findings.sarif');
    // The Electron version of the test runtime; without it the tool tries to look it up online.
    const r = spawnSync(BIN, ['-i', join(ROOT, 'src-main'), '-o', out, '-r', '-v', 'false', '-e', '25.1.1'], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `electronegativity failed: ${r.stderr}`);
    const results = (JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results: SarifResult[] }> }).runs.flatMap((run) => run.results);
    assert.ok(results.length > 0, 'the tool reported nothing at all: it did not analyse the sources');
    const allowed = new Set(known.map((k) => key(k.check, k.file)));
    const found = results.map((f) => {
      const loc = f.locations?.[0]?.physicalLocation;
      return { key: key(f.ruleId, loc?.artifactLocation?.uri ?? 'N/A'), where: `${loc?.artifactLocation?.uri ?? 'N/A'}:${loc?.region?.startLine ?? 0}`, text: f.message.text };
    });
    const unexpected = found.filter((f) => !allowed.has(f.key));
    assert.deepEqual(unexpected.map((f) => `${f.key.split(' ')[0]} at ${f.where}: ${f.text}`), [], 'new findings: fix them, or review and list them with a reason');
    const seen = new Set(found.map((f) => f.key));
    assert.deepEqual([...allowed].filter((k) => !seen.has(k)), [], 'listed findings that no longer occur: drop them from the list');
  } finally {
    cleanup(dir);
  }
});

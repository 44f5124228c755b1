// The layer rule of docs/ARCHITECTURE.md, enforced by dependency-cruiser with no exceptions: imports
// in src-main only point down, nothing is circular, the renderer loads only the contract, and the
// module map in the docs names exactly the folders that exist.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG = join(ROOT, 'test', 'architecture', 'layers.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const LAYERS = createRequire(import.meta.url)(join(ROOT, 'test', 'architecture', 'layer-order.cjs')) as string[][];

const scratch: string[] = [];
after(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Violation { rule: { name: string }; from: string; to: string }

function cruise(cwd: string, roots: string[]): Violation[] {
  const r = spawnSync(DEPCRUISE, ['--config', CONFIG, '--output-type', 'json', ...roots], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(r.stdout, `depcruise printed nothing: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

test('src-main and the renderer keep every layer rule, with no exception', () => {
  const violations = cruise(ROOT, ['src-main', 'src-renderer']);
  assert.deepEqual(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`), []);
});

test('the rules catch an upward import, a cycle and a renderer reaching into main', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-layers-'));
  scratch.push(dir);
  const file = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  writeFileSync(join(dir, 'tsconfig.node.json'), '{"compilerOptions":{"allowImportingTsExtensions":true,"noEmit":true,"module":"nodenext"}}');
  file('src-main/pki/keys.ts', "import { unlock } from '../core/ca.ts';\nexport const k = unlock;\n");
  file('src-main/core/ca.ts', "export const unlock = 1;\n");
  file('src-main/core/a.ts', "import { b } from './b.ts';\nexport const a = b;\n");
  file('src-main/core/b.ts', "import { a } from './a.ts';\nexport const b = () => a;\n");
  file('src-main/vault/vault.ts', "import { a } from '../core/a.ts';\nexport const v = a;\n");
  file('src-renderer/App.ts', "import { unlock } from '../src-main/core/ca.ts';\nexport const x = unlock;\n");
  const names = cruise(dir, ['src-main', 'src-renderer']).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  assert.ok(names.includes('layer-pki: src-main/pki/keys.ts -> src-main/core/ca.ts'), names.join('\n'));
  assert.ok(names.includes('layer-vault: src-main/vault/vault.ts -> src-main/core/a.ts'), names.join('\n'));
  assert.ok(names.some((n) => n.startsWith('no-cycles: src-main/core/a.ts')), names.join('\n'));
  assert.ok(names.includes('renderer-only-contract: src-renderer/App.ts -> src-main/core/ca.ts'), names.join('\n'));
});

test('every folder of src-main has a layer and a row in the docs module map, and nothing else does', () => {
  const onDisk = readdirSync(join(ROOT, 'src-main'), { withFileTypes: true }).map((e) => e.name).sort();
  assert.deepEqual([...LAYERS.flat()].sort(), onDisk, 'test/architecture/layers.cjs LAYERS vs src-main');
  const doc = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const map = doc.slice(doc.indexOf('## Module map'), doc.indexOf('\n## ', doc.indexOf('## Module map') + 5));
  const rows = [...map.matchAll(/^\| `([^`]+)\/` \|/gm)].map((m) => m[1]!).sort();
  const folders = readdirSync(join(ROOT, 'src-main'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual(rows, folders, 'docs/ARCHITECTURE.md module map rows vs src-main folders');
});

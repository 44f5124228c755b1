// The Lifecycle screen's history reads the newest entries of the audit log from its end
// (readAuditNewest): it must answer exactly what reading the whole log and keeping its last
// entries does, whatever the log holds and wherever its chunks split it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from '../helpers/cli.ts';
import { Vault } from '../../src-main/vault/vault.ts';
import { AUDIT_FILE, readAudit, readAuditNewest } from '../../src-main/vault/audit.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function logWith(text: string) {
  const dir = tempDir();
  dirs.push(dir);
  const home = join(dir, 'home');
  mkdirSync(home);
  writeFileSync(join(home, AUDIT_FILE), text);
  return { vault: Vault.open(home), now: () => new Date() };
}

const entry = (i: number, node: string, detail = '') => JSON.stringify({ time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, action: 'issue', outcome: 'ok', node, detail: `${detail}#${i}` });

test('the newest entries from the end equal the whole read, over torn, blank, foreign and multi-byte lines, at every chunk size', () => {
  const lines = [
    'not json at all',
    entry(0, 'a', 'ünïcødé ✓ 証明書'),
    '',
    '{"time":"x","action":"issue"}', // no outcome: not an entry
    '   ',
    entry(1, 'b'),
    '[1,2,3]',
    entry(2, 'a', '🔐🔐🔐'),
    'null',
    entry(3, 'c'),
    entry(4, 'a', 'é'.repeat(40)),
  ];
  const cases = [`${lines.join('\n')}\n`, `${lines.join('\n')}\n{"time":"2026-01-01T00:00:05Z","act`, `${lines.join('\n')}`, `\n\n${lines.join('\n')}\n\n`, '', '\n', entry(9, 'z')];
  for (const text of cases) {
    const ctx = logWith(text);
    for (const filter of [{}, { node: 'a' }, { node: 'none' }]) {
      const all = readAudit(ctx, filter);
      for (const limit of [0, 1, 2, 3, all.length, all.length + 5]) {
        const want = all.slice(-limit || all.length).reverse().slice(0, limit);
        for (const chunk of [1, 2, 3, 7, 64, 256 * 1024]) {
          assert.deepEqual(readAuditNewest(ctx, limit, filter, chunk), want, `${JSON.stringify(text.slice(-30))} ${JSON.stringify(filter)} limit ${limit} chunk ${chunk}`);
        }
      }
    }
  }
});

test('no log yet: no entries', () => {
  const dir = tempDir();
  dirs.push(dir);
  assert.deepEqual(readAuditNewest({ vault: Vault.open(join(dir, 'none')), now: () => new Date() }, 10), []);
});

test('a long log: the last page only, in order', () => {
  const ctx = logWith(`${Array.from({ length: 20_000 }, (_, i) => entry(i, `n${i % 7}`)).join('\n')}\n`);
  const newest = readAuditNewest(ctx, 5000, { node: 'n3' });
  assert.deepEqual(newest, readAudit(ctx, { node: 'n3' }).slice(-5000).reverse());
  assert.equal(newest.length, Math.ceil((20_000 - 3) / 7));
  assert.deepEqual(readAuditNewest(ctx, 3).map((e) => e.detail), ['#19999', '#19998', '#19997']);
});

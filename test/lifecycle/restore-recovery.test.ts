/**
 * An interrupted `restore --force` (issue 13, item 7): a crash between its two renames leaves the
 * live vault moved aside, the verified backup staged beside it, and no vault at --home. The crash
 * state is laid out on disk exactly as restore leaves it; then the CLI must name it (not suggest
 * `ca init`), and `restore --finish` / `restore --roll-back` must each give back a whole vault.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { workspace, snapshot, runCli, cleanup } from '../helpers/cli.ts';
import { json, ok, seed } from './helpers.ts';

const live = workspace();
const other = workspace();
after(() => cleanup(live.dir, other.dir));
seed(live, ['before1', 'before2']);
seed(other, ['restored1']);
const archive = join(other.dir, 'other.tgz');
ok(other.cli('backup', '--out', archive), 'backup');
const restoredCopy = join(other.dir, 'restored-copy');
ok(runCli(['--home', restoredCopy, '--passphrase-file', live.pass, 'restore', archive]), 'a restored vault to stage');

/** Lays out what a crash between restore's two renames leaves behind. */
function crashState(): { aside: string; staged: string; before: Record<string, string>; restored: Record<string, string> } {
  const home = live.home;
  const aside = `${home}.before-restore-2026-12-01T05-00-00-000Z`;
  const staged = join(dirname(home), `.${basename(home)}.restore-0123456789`);
  // The dead restore held the lock; it moved aside with the vault.
  writeFileSync(join(home, '.lock'), '999999999\n');
  const before = snapshot(home);
  renameSync(home, aside);
  cpSync(restoredCopy, staged, { recursive: true });
  return { aside, staged, before, restored: snapshot(restoredCopy) };
}
/** The crash state the first test lays out; the second rolls it back. */
let first: ReturnType<typeof crashState>;
const withoutLock = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => k !== '.lock'));

test('after the crash, every command names the interrupted restore and both ways out instead of suggesting ca init', () => {
  first = crashState();
  const { aside, staged } = first;
  for (const args of [['status'], ['node', 'list'], ['ca', 'show'], ['ca', 'init', '--name', 'Fresh']]) {
    const r = live.cli(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, /a restore into .* was interrupted/);
    assert.ok(r.stderr.includes(aside) && r.stderr.includes(staged), r.stderr);
    assert.match(r.stderr, /restore --finish.*restore --roll-back/);
    assert.doesNotMatch(r.stderr, /ca init --name/);
  }
  assert.equal(existsSync(live.home), false, 'nothing was created meanwhile');
  const again = live.cli('restore', archive, '--force');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /was interrupted/, 'a new restore waits until this one is resolved');
});

test('restore --roll-back puts the vault from before back, whole; the staged copy goes', () => {
  const { before, staged } = first;
  const r = json<{ action: string; cas: number; nodes: number }>(live.cli('restore', '--roll-back', '--json'), 'roll back');
  assert.deepEqual([r.action, r.nodes], ['roll-back', 2]);
  assert.deepEqual(snapshot(live.home), withoutLock(before), 'byte-for-byte the vault from before');
  assert.equal(existsSync(staged), false);
  ok(live.cli('issue', 'before1'), 'the vault works');
});

test('restore --finish makes the staged backup the vault; the vault from before stays beside it', () => {
  const { aside, restored, staged } = crashState();
  const r = live.cli('restore', '--finish');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /finished the interrupted restore/);
  assert.deepEqual(snapshot(live.home), restored, 'byte-for-byte the restored vault');
  assert.equal(existsSync(staged), false);
  assert.ok(existsSync(join(aside, 'inventory.json')), 'the previous vault is kept');
  assert.equal(existsSync(join(aside, '.lock')), false, 'without the dead restore\'s lock');
  assert.match(live.cli('node', 'list').stdout, /restored1/);
  const none = live.cli('restore', '--finish');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no interrupted restore was found/);
  assert.deepEqual(readdirSync(dirname(live.home)).filter((n) => n.includes('.restore-')), []);
});


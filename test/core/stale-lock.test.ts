// A lock left by a dead process (SIGKILL, power loss) is taken over by exactly one waiter: racing
// processes never both believe they hold the vault (issue 13, item 3: lost updates after a crash).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cleanup, tempDir } from '../helpers/cli.ts';
import { ok, withCa } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

/** The pid of a process that has already exited. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

function contender(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'helpers', 'lock-stress-child.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('stale locks under contention: 6 processes take the lock 600 times, every turn leaves a dead owner behind, no update is lost', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const lock = join(dir, '.lock');
  const counter = join(dir, 'counter');
  writeFileSync(counter, '0');
  const width = 6;
  const turns = 100;
  const runs = await Promise.all(Array.from({ length: width }, () => contender([lock, counter, String(turns), String(deadPid())])));
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  assert.equal(Number(readFileSync(counter, 'utf8')), width * turns, 'every turn held the lock alone');
  const left = readdirSync(dir).filter((f) => f !== 'counter' && f !== '.lock');
  assert.deepEqual(left, [], 'no takeover leaves files behind');
});

test('a taker that died while breaking a stale lock leaves a breaker file that does not block the vault', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const { acquireLock } = await import('../../src-main/vault/lock.ts');
  const lock = join(dir, '.lock');
  const stale = `${deadPid()}\n`;
  writeFileSync(lock, stale);
  writeFileSync(`${lock}.break-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}.tmp`, `${deadPid()} 0123456789abcdef\n`);
  const release = await acquireLock(lock, 2000);
  assert.match(readFileSync(lock, 'utf8'), new RegExp(`^${process.pid} [0-9a-f]{16}\\n$`));
  release();
  assert.deepEqual(readdirSync(dir), []);
});

test('real CLI processes: 8 concurrent `node add` after a crash left the lock, 4 rounds, every node lands', async () => {
  const ws = withCa('ecdsa-p256');
  dirs.push(ws.dir);
  const rounds = 4;
  const width = 8;
  for (let r = 0; r < rounds; r++) {
    writeFileSync(join(ws.home, '.lock'), `${deadPid()}\n`);
    const runs = await Promise.all(Array.from({ length: width }, (_, i) => ws.cliAsync('--json', 'node', 'add', `s-${r}-${i}`, '--ip', `10.7.${r}.${i + 1}`)));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
  }
  const names = ok<Array<{ name: string }>>(ws.cli('--json', 'node', 'list')).map((n) => n.name);
  assert.equal(names.length, rounds * width);
  assert.deepEqual(readdirSync(ws.home).filter((f) => f.startsWith('.lock')), []);
});

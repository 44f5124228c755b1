// One contender of the stale-lock race test (test/core/stale-lock.test.ts), a separate process:
// takes the vault lock ITERATIONS times, each time bumping a counter by read, pause, write (updates are
// lost if two hold the lock at once), and after each turn leaves a lock naming a dead pid behind, as a
// process killed right after taking the lock would, then pauses so the others find it together.
import { readFileSync, writeFileSync } from 'node:fs';
import { acquireLock } from '../../src-main/vault/lock.ts';

const [lockPath, counterPath, iterations, deadPid] = process.argv.slice(2) as [string, string, string, string];
const pause = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

for (let i = 0; i < Number(iterations); i++) {
  const release = await acquireLock(lockPath, 60_000);
  const count = Number(readFileSync(counterPath, 'utf8'));
  await pause(Math.random() * 2);
  writeFileSync(counterPath, String(count + 1));
  release();
  try {
    writeFileSync(lockPath, `${deadPid}\n`, { flag: 'wx' });
  } catch {
    // another contender holds it already
  }
  // Let the others, polling, find the dead lock together.
  await pause(20);
}

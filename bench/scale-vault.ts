// A vault of N nodes, each with one ECDSA certificate, built through the core API (not the CLI), so
// the read-path benchmarks have a fixture that does not depend on the code they measure.
// `node --import tsx bench/scale-vault.ts DIR [N]` builds one in DIR (DIR/home, DIR/passphrase).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../src-main/core/context.ts';
import { initCa } from '../src-main/core/ca.ts';
import { addNodes } from '../src-main/core/nodes.ts';
import { issueForNodes } from '../src-main/core/issue.ts';

/** node-0 ... node-(n-1), each with one DNS name and one IP address. */
export function benchNodes(n: number): Array<{ name: string; dns: string[]; ips: string[] }> {
  return Array.from({ length: n }, (_, i) => ({ name: `node-${i}`, dns: [`node-${i}.bench.test`], ips: [`10.${Math.floor(i / 250) % 256}.${i % 250}.${1 + Math.floor(i / 64_000)}`] }));
}

export async function buildScaleVault(dir: string, n: number): Promise<{ home: string; pass: string }> {
  const home = join(dir, 'home');
  const pass = join(dir, 'passphrase');
  mkdirSync(dir, { recursive: true });
  writeFileSync(pass, 'benchmark passphrase 0123456789\n', { mode: 0o600 });
  const ctx = createContext({ home, passphraseFile: pass });
  await initCa(ctx, { name: 'Scale CA', keyType: 'ecdsa-p256' });
  await addNodes(ctx, benchNodes(n));
  await issueForNodes(ctx, 'all', { keyType: 'ecdsa-p256' });
  return { home, pass };
}

if (process.argv[1]?.endsWith('scale-vault.ts')) {
  const [dir, n] = process.argv.slice(2);
  if (!dir) throw new Error('usage: scale-vault.ts DIR [N]');
  const t0 = Date.now();
  await buildScaleVault(dir, Number(n ?? 10_000));
  console.log(`built ${n ?? 10_000} nodes in ${dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

import { existsSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fsyncDir } from '../vault/atomic.ts';
import { UserError } from '../errors.ts';
import type { CoreContext } from '../core/context.ts';

/**
 * `restore --force` swaps vaults with two renames: the live vault aside, then the staged one in. A
 * crash between them leaves no vault at all, only the two folders beside it. This finds that state
 * (the vault folder missing or empty, a complete staged restore and a moved-aside vault next to it)
 * and finishes the restore or rolls it back, each by one rename.
 */

export interface InterruptedRestore {
  home: string;
  /** The verified backup, staged completely before the swap began. */
  staged: string;
  /** The vault that was live before the restore. */
  aside: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function isVault(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, 'inventory.json'));
  } catch {
    return false;
  }
}

export function findInterruptedRestore(vaultHome: string): InterruptedRestore | null {
  const home = resolve(vaultHome);
  try {
    if (existsSync(home) && (!statSync(home).isDirectory() || readdirSync(home).length > 0)) return null;
  } catch {
    return null;
  }
  const parent = dirname(home);
  const base = escape(basename(home));
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return null;
  }
  const newest = (pattern: RegExp): string | null => {
    const found = names.filter((n) => pattern.test(n) && isVault(join(parent, n))).map((n) => join(parent, n));
    found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    return found[0] ?? null;
  };
  const staged = newest(new RegExp(`^\\.${base}\\.restore-[0-9a-f]+$`));
  // ISO stamps sort by name; several asides may exist from earlier restores: the newest is this one.
  const asides = names.filter((n) => new RegExp(`^${base}\\.before-restore-`).test(n) && isVault(join(parent, n))).sort();
  const aside = asides.length ? join(parent, asides[asides.length - 1]!) : null;
  return staged && aside ? { home, staged, aside } : null;
}

/** Named in every refusal while a restore is half done, CLI and app alike. */
export function interruptedRestoreError(r: InterruptedRestore): UserError {
  return new UserError(
    'conflict',
    `a restore into ${r.home} was interrupted: the vault from before is in ${r.aside} and the restored one in ${r.staged}; run \`cluster-trust restore --finish\` to use the restored vault, or \`cluster-trust restore --roll-back\` to put the previous one back`,
  );
}

function describe(dir: string): { cas: number; nodes: number } {
  try {
    const inv = JSON.parse(readFileSync(join(dir, 'inventory.json'), 'utf8')) as { cas?: unknown[]; nodes?: unknown[] };
    return { cas: inv.cas?.length ?? 0, nodes: inv.nodes?.length ?? 0 };
  } catch {
    return { cas: 0, nodes: 0 };
  }
}

export interface RecoveredRestore {
  action: 'finish' | 'roll-back';
  home: string;
  /** finish: where the previous vault stays (kept, as after any restore); roll-back: null. */
  previousVaultMovedTo: string | null;
  cas: number;
  nodes: number;
}

/** Finishes (the staged vault becomes the vault) or rolls back (the previous one returns). */
export function resolveInterruptedRestore(ctx: CoreContext, action: 'finish' | 'roll-back'): RecoveredRestore {
  const r = findInterruptedRestore(ctx.vault.home);
  if (!r) throw new UserError('not-found', `no interrupted restore was found for ${resolve(ctx.vault.home)}`);
  // An empty folder (found empty above) gives way to the vault that takes its place.
  if (existsSync(r.home)) rmdirSync(r.home);
  if (action === 'finish') {
    renameSync(r.staged, r.home);
    // The dead restore's lock travelled with the vault it held.
    rmSync(join(r.aside, '.lock'), { force: true });
  } else {
    renameSync(r.aside, r.home);
    rmSync(join(r.home, '.lock'), { force: true });
    rmSync(r.staged, { recursive: true, force: true });
  }
  fsyncDir(dirname(r.home));
  return { action, home: r.home, previousVaultMovedTo: action === 'finish' ? r.aside : null, ...describe(r.home) };
}

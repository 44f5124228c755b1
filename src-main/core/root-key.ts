import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { readPrivateKey } from '../pki/keys.ts';
import { CA_KEY_ITERATIONS, encryptPkcs8Strong } from '../pki/pkcs8-encrypt.ts';
import type { CaMaterial } from '../pki/certificates.ts';
import { checkChosenPassphrase, keychainAccount } from '../keychain/passphrase.ts';
import { writeBundleFile } from '../bundle/write.ts';
import { fsyncDir } from '../vault/atomic.ts';
import { audit } from '../vault/audit.ts';
import { UserError, invalid } from '../errors.ts';
import { rootKeyPath } from './ca.ts';
import { activeRoot, openRootKeyInVault, rootMaterial } from './two-tier.ts';
import type { CoreContext } from './context.ts';
import type { RootRecord } from '../vault/schema.ts';

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const KEY_FILE_ATTEMPTS = 3;
/** Far above any PEM private key; a hostile path (a device, a huge file) is not read into memory. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface RootKeyExported {
  root: string;
  path: string;
}

/**
 * `ca root export --out FILE`: the root key, PKCS#8 encrypted under a passphrase the user chooses for
 * this file (the vault's own may be a random one in the keychain that `ca root remove` deletes),
 * written 0600; an existing file is never overwritten. The vault records where it went and its hash,
 * which `ca root remove` checks.
 */
export async function exportRootKey(ctx: CoreContext, opts: { out: string; passphrase?: string }): Promise<RootKeyExported> {
  const { root } = activeRoot(ctx.vault.read());
  let passphrase = opts.passphrase;
  if (passphrase === undefined && ctx.askPassphrase) passphrase = (await ctx.askPassphrase({ caName: root.name, purpose: 'export-key', attempt: 1 })) ?? undefined;
  if (passphrase === undefined) throw new UserError('no-passphrase', 'the exported root key needs a passphrase of its own', { cli: 'pass --key-passphrase-file FILE, or run on a terminal to type it', app: 'type a passphrase for the file' });
  checkChosenPassphrase(passphrase);
  const key = await openRootKeyInVault(ctx, root);
  const pem = encryptPkcs8Strong(key.export({ type: 'pkcs8', format: 'der' }), passphrase, CA_KEY_ITERATIONS);
  const path = writeBundleFile(Buffer.from(pem), opts.out);
  await ctx.vault.update((inv) => {
    const r = inv.roots.find((x) => x.id === root.id);
    if (!r) throw new UserError('conflict', 'the vault\'s root changed during the export; run the command again');
    r.exported = { path, sha256: sha256(pem), at: ctx.now().toISOString() };
  });
  audit(ctx, { action: 'ca.root-export', fingerprint: root.fingerprint, detail: `root key of "${root.name}" written to ${path} (encrypted, 0600)` });
  return { root: root.name, path };
}

/** Whether the last export is still where it was written, byte for byte. */
function exportStillThere(root: RootRecord): boolean {
  if (!root.exported) return false;
  try {
    return sha256(readFileSync(root.exported.path)) === root.exported.sha256;
  } catch {
    return false;
  }
}

export interface RootKeyRemoved {
  root: string;
  /** Where the exported copy is (none when removed with --without-export). */
  exportedTo: string | null;
  keychainEntryRemoved: boolean;
}

/**
 * `ca root remove`: deletes the root key from the vault and its passphrase from the keychain. Refused
 * unless the last export is still in place, unchanged (or the user says `--without-export`: the root
 * then never signs again, and a new root means trusting it everywhere). The inventory says "removed"
 * first, then the file goes: a crash in between leaves a key file the next remove deletes.
 */
export async function removeRootKey(ctx: CoreContext, opts: { withoutExport?: boolean } = {}): Promise<RootKeyRemoved> {
  const { root } = activeRoot(ctx.vault.read());
  const keyFile = ctx.vault.path(rootKeyPath(root.id));
  if (!root.keyInVault && !existsSync(keyFile)) throw new UserError('refused', `the key of the root "${root.name}" is not in this vault (already removed)`);
  const exported = exportStillThere(root);
  if (!exported && !opts.withoutExport) {
    const why = root.exported ? `its export ${root.exported.path} is gone or changed` : 'it was never exported';
    throw new UserError('refused', `the key of the root "${root.name}" stays: ${why}, and without a copy no new intermediate could ever be signed`, { cli: 'run `cluster-trust ca root export --out FILE` first (or pass --without-export to lose the root key for good)', app: 'export the root key first' });
  }
  await ctx.vault.update((inv) => {
    const r = inv.roots.find((x) => x.id === root.id);
    if (!r) throw new UserError('conflict', 'the vault\'s root changed; run the command again');
    r.keyInVault = false;
    r.removedAt = ctx.now().toISOString();
  });
  rmSync(keyFile, { force: true });
  fsyncDir(dirname(keyFile));
  let keychainEntryRemoved = false;
  if (root.passphraseIn === 'keychain') keychainEntryRemoved = await ctx.keychain.delete(keychainAccount(root.fingerprint)).catch(() => false);
  ctx.session.forget(root.fingerprint);
  audit(ctx, {
    action: 'ca.root-remove',
    fingerprint: root.fingerprint,
    detail: `root key of "${root.name}" deleted from the vault${root.passphraseIn === 'keychain' ? `, its passphrase ${keychainEntryRemoved ? 'deleted from' : 'not found in'} the keychain` : ''}; ${exported ? `exported copy: ${root.exported!.path}` : 'no export (--without-export)'}`,
  });
  return { root: root.name, exportedTo: exported ? root.exported!.path : null, keychainEntryRemoved };
}

/**
 * The root key from a file (`--root-key FILE`, a `ca root export`): its passphrase is given or asked
 * (three tries on a terminal); the key must be the vault's root's. Nothing is written here.
 */
export async function rootFromKeyFile(ctx: CoreContext, root: RootRecord, opts: { keyFile: string; passphrase?: string }): Promise<CaMaterial> {
  let pem: string;
  try {
    const data = readFileSync(opts.keyFile);
    if (data.length > MAX_KEY_FILE_BYTES) throw Object.assign(new Error('too large for a key file'), { code: 'too large for a key file' });
    pem = data.toString('utf8');
  } catch (err) {
    throw invalid(`cannot read the root key file ${opts.keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!/-----BEGIN (ENCRYPTED |EC |RSA )?PRIVATE KEY-----/.test(pem)) throw invalid(`${opts.keyFile} holds no PEM private key (expected the file \`ca root export\` wrote)`);
  const open = (pass?: string) => {
    try {
      return readPrivateKey(pem, pass);
    } catch (err) {
      if (err instanceof UserError && err.code === 'bad-passphrase') return null;
      if (err instanceof UserError) throw invalid(`${opts.keyFile}: ${err.message}`);
      throw err;
    }
  };
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem);
  if (!encrypted) return rootMaterial(ctx, root, open()!);
  if (opts.passphrase !== undefined) {
    const key = open(opts.passphrase);
    if (!key) throw new UserError('bad-passphrase', `wrong passphrase for the root key file ${opts.keyFile}; nothing was changed`);
    return rootMaterial(ctx, root, key);
  }
  if (!ctx.askPassphrase) throw new UserError('no-passphrase', `the root key file ${opts.keyFile} is encrypted`, { cli: 'pass --key-passphrase-file FILE, or run on a terminal to type it', app: 'type the passphrase of the root key file' });
  for (let attempt = 1; attempt <= KEY_FILE_ATTEMPTS; attempt++) {
    const typed = await ctx.askPassphrase({ caName: root.name, purpose: 'key-file', attempt });
    if (typed === null) break;
    const key = open(typed);
    if (key) return rootMaterial(ctx, root, key);
  }
  throw new UserError('bad-passphrase', `wrong passphrase for the root key file ${opts.keyFile}; nothing was changed`);
}

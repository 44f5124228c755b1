import { readFileSync, statSync } from 'node:fs';
import { readPrivateKey } from '../pki/keys.ts';
import { keychainAccount } from '../keychain/passphrase.ts';
import { assertPrivateSecretFile } from '../keychain/secret-file.ts';
import { writeBundleFile } from '../bundle/write.ts';
import { caKeyPath, rootKeyPath } from './ca.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import type { CoreContext } from './context.ts';
import type { Inventory } from '../vault/schema.ts';

/** A key the vault holds under a passphrase: every CA's, and a two-tier root's while its key is in the vault. */
interface KeyHolder {
  name: string;
  fingerprint: string;
  passphraseIn: 'keychain' | 'file' | 'typed';
  keyPath: string;
}

function keyHolders(inv: Inventory): KeyHolder[] {
  return [
    ...inv.cas.map((c) => ({ name: c.name, fingerprint: c.fingerprint, passphraseIn: c.passphraseIn, keyPath: caKeyPath(c.id) })),
    ...inv.roots.filter((r) => r.keyInVault).map((r) => ({ name: `${r.name} (root)`, fingerprint: r.fingerprint, passphraseIn: r.passphraseIn, keyPath: rootKeyPath(r.id) })),
  ];
}

/**
 * Moving a vault to another machine: a backup carries every CA key encrypted, but the random
 * passphrases that open them live in this machine's keychain. These write them to one file the user
 * keeps offline, and load such a file into another machine's keychain, checking each one first.
 */

const HEADER = '# Cluster Trust CA passphrases. Anyone holding this file and a backup of the vault can sign as your CA: keep it offline.';
const MAX_FILE_BYTES = 64 * 1024;

export interface PassphrasesExported {
  path: string;
  /** Names of the CAs written. */
  cas: string[];
  /** Keychain CAs whose passphrase this keychain does not have (left out). */
  missing: string[];
}

export async function exportCaPassphrases(ctx: CoreContext, outFile: string): Promise<PassphrasesExported> {
  const cas = keyHolders(ctx.vault.read()).filter((c) => c.passphraseIn === 'keychain');
  if (cas.length === 0) throw invalid('no CA in this vault keeps its passphrase in the keychain: your own passphrase (its file, or what you typed) is the copy to keep');
  const lines = [HEADER];
  const written: string[] = [];
  const missing: string[] = [];
  for (const ca of cas) {
    const pass = await ctx.keychain.get(keychainAccount(ca.fingerprint));
    if (pass) {
      lines.push(`${keychainAccount(ca.fingerprint)}\t${pass}`);
      written.push(ca.name);
    } else {
      missing.push(ca.name);
    }
  }
  if (written.length === 0) throw new UserError('no-passphrase', `this machine's keychain holds none of the CA passphrases (${missing.join(', ')})`);
  const path = writeBundleFile(Buffer.from(`${lines.join('\n')}\n`), outFile);
  audit(ctx, { action: 'ca.passphrase-export', detail: `${written.length} CA passphrase(s) written to ${path}` });
  return { path, cas: written, missing };
}

export interface PassphrasesImported {
  /** Names of the CAs whose passphrase is now in this machine's keychain. */
  stored: string[];
  /** Accounts in the file for CAs this vault does not hold. */
  unknown: string[];
}

function parseExport(file: string): Map<string, string> {
  assertPrivateSecretFile(file, 'CA passphrase file');
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw Object.assign(new Error('too large'), { code: 'too large for a passphrase file' });
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^(ca-[0-9a-f]{64})\t(\S+)$/.exec(line);
    if (!m) throw invalid(`${file} line ${i + 1} is not "ca-<fingerprint><TAB><passphrase>": is this a file from \`ca passphrase export\`?`);
    out.set(m[1]!, m[2]!);
  });
  if (out.size === 0) throw invalid(`${file} holds no CA passphrase`);
  return out;
}

/** Every passphrase is checked against its CA's key before any is stored: a wrong file stores nothing. */
export async function importCaPassphrases(ctx: CoreContext, file: string): Promise<PassphrasesImported> {
  const given = parseExport(file);
  const cas = keyHolders(ctx.vault.read());
  const matched: Array<{ ca: KeyHolder; pass: string }> = [];
  for (const ca of cas) {
    const pass = given.get(keychainAccount(ca.fingerprint));
    if (pass === undefined) continue;
    try {
      readPrivateKey(ctx.vault.readText(ca.keyPath), pass);
    } catch {
      throw new UserError('bad-passphrase', `the passphrase in ${file} for the CA "${ca.name}" does not open its key; nothing was stored`);
    }
    matched.push({ ca, pass });
  }
  const known = new Set(cas.map((c) => keychainAccount(c.fingerprint)));
  const unknown = [...given.keys()].filter((a) => !known.has(a));
  if (matched.length === 0) throw invalid(`${file} has no passphrase for a CA of this vault`);
  for (const { ca, pass } of matched) await ctx.keychain.set(keychainAccount(ca.fingerprint), pass);
  audit(ctx, { action: 'ca.passphrase-import', detail: `${matched.length} CA passphrase(s) stored in the keychain` });
  return { stored: matched.map((m) => m.ca.name), unknown };
}

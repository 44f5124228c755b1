import { readFileSync } from 'node:fs';
import { initCa, importCa, showCa, exportCaCert, type CaInfo } from '../../core/ca.ts';
import { writeBundleFile } from '../../bundle/write.ts';
import { formatFingerprint } from '../../pki/inspect.ts';
import { isKeyType, KEY_TYPES } from '../../pki/policy.ts';
import { readPassphraseFile } from '../../keychain/passphrase.ts';
import { invalid } from '../../core/errors.ts';
import { intOption, one } from '../args.ts';
import { kv } from '../format.ts';
import type { Command } from '../command.ts';

function describe(ca: CaInfo): string {
  return kv([
    ['CA', ca.name],
    ['subject', ca.subject],
    ['key', ca.keyType],
    ['valid', `${ca.notBefore} .. ${ca.notAfter}`],
    ['SHA-256', formatFingerprint(ca.sha256)],
    ['passphrase', ca.passphraseLocation],
  ]);
}

export function readInputFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export const caCommands: Command[] = [
  {
    words: ['ca', 'init'],
    usage: `ca init --name NAME [--key ${KEY_TYPES.join('|')}] [--days N]`,
    summary: 'create the cluster\'s root CA (passphrase kept in the OS keychain, or your --passphrase-file)',
    options: [{ name: 'name', value: true }, { name: 'key', value: true }, { name: 'days', value: true }],
    async run(ctx, args) {
      const name = one(args, 'name');
      if (!name) throw invalid('ca init needs --name NAME');
      const key = one(args, 'key');
      if (key !== undefined && !isKeyType(key)) throw invalid(`unknown key type "${key}"; use one of ${KEY_TYPES.join(', ')}`);
      const ca = await initCa(ctx, { name, keyType: key as never, days: intOption(args, 'days') });
      return { human: `created CA in ${ctx.vault.home}\n${describe(ca)}`, json: ca };
    },
  },
  {
    words: ['ca', 'show'],
    usage: 'ca show',
    summary: 'show the active CA',
    async run(ctx) {
      const ca = showCa(ctx);
      return { human: describe(ca), json: ca };
    },
  },
  {
    words: ['ca', 'export'],
    usage: 'ca export --out FILE',
    summary: 'write the CA certificate (never the key) to FILE',
    options: [{ name: 'out', value: true }],
    async run(ctx, args) {
      const out = one(args, 'out');
      if (!out) throw invalid('ca export needs --out FILE');
      const path = writeBundleFile(Buffer.from(exportCaCert(ctx)), out);
      return { human: `wrote the CA certificate to ${path}`, json: { path } };
    },
  },
  {
    words: ['ca', 'import'],
    usage: 'ca import --cert FILE --key FILE [--key-passphrase-file FILE]',
    summary: 'adopt an existing CA; its key is re-encrypted under a new vault passphrase',
    options: [{ name: 'cert', value: true }, { name: 'key', value: true }, { name: 'key-passphrase-file', value: true }],
    async run(ctx, args) {
      const cert = one(args, 'cert');
      const key = one(args, 'key');
      if (!cert || !key) throw invalid('ca import needs --cert FILE and --key FILE');
      const keyPassFile = one(args, 'key-passphrase-file');
      const ca = await importCa(ctx, {
        certPem: readInputFile(cert, 'CA certificate'),
        keyPem: readInputFile(key, 'CA key'),
        keyPassphrase: keyPassFile ? readPassphraseFile(keyPassFile) : undefined,
      });
      return { human: `imported CA into ${ctx.vault.home}\n${describe(ca)}`, json: ca };
    },
  },
];

import { exportRootKey, removeRootKey } from '../../core/root-key.ts';
import { rotateIntermediate } from '../../lifecycle/rotate-intermediate.ts';
import { formatFingerprint } from '../../pki/inspect.ts';
import { readPassphraseFile } from '../../keychain/passphrase.ts';
import { invalid } from '../../errors.ts';
import { intOption, one } from '../args.ts';
import { kv } from '../format.ts';
import type { Command } from '../command.ts';

/** The two-tier CA's offline root: export and remove its key, sign a new intermediate with it. */
export const caRootCommands: Command[] = [
  {
    words: ['ca', 'root', 'export'],
    usage: 'ca root export --out FILE [--key-passphrase-file FILE]',
    summary: 'write the two-tier root\'s key to FILE (PKCS#8 encrypted under the passphrase you give or type for it, 0600; never overwrites)',
    options: [{ name: 'out', value: true }, { name: 'key-passphrase-file', value: true }],
    async run(ctx, args) {
      const out = one(args, 'out');
      if (!out || args.positionals.length) throw invalid(`usage: cluster-trust ${this.usage}`);
      const passFile = one(args, 'key-passphrase-file');
      const r = await exportRootKey(ctx, { out, passphrase: passFile ? readPassphraseFile(passFile) : undefined });
      return { human: `wrote the key of the root "${r.root}" to ${r.path}; keep it offline (with its passphrase kept apart), then \`cluster-trust ca root remove\``, json: r };
    },
  },
  {
    words: ['ca', 'root', 'remove'],
    usage: 'ca root remove [--without-export]',
    summary: 'delete the two-tier root\'s key from the vault and its passphrase from the keychain (only once `ca root export` wrote a copy that is still in place, unless --without-export)',
    options: [{ name: 'without-export' }],
    async run(ctx, args) {
      if (args.positionals.length) throw invalid(`usage: cluster-trust ${this.usage}`);
      const r = await removeRootKey(ctx, { withoutExport: args.flags.has('without-export') });
      const where = r.exportedTo ? `the copy in ${r.exportedTo} is now the only one` : 'no copy was exported: this root can never sign again';
      return { human: `deleted the key of the root "${r.root}" from the vault${r.keychainEntryRemoved ? ' and its passphrase from the keychain' : ''}; ${where}. Nodes are still issued by the intermediate.`, json: r };
    },
  },
  {
    words: ['ca', 'intermediate', 'rotate'],
    usage: 'ca intermediate rotate [--root-key FILE [--key-passphrase-file FILE]] [--days N]',
    summary: 'sign a new intermediate with the root (its key from the vault, or from the FILE `ca root export` wrote); the old one stays until its nodes are renewed (`ca retire-old`); workstations keep the same root',
    options: [{ name: 'root-key', value: true }, { name: 'key-passphrase-file', value: true }, { name: 'days', value: true }],
    async run(ctx, args) {
      if (args.positionals.length) throw invalid(`usage: cluster-trust ${this.usage}`);
      const rootKeyFile = one(args, 'root-key');
      const passFile = one(args, 'key-passphrase-file');
      if (passFile && !rootKeyFile) throw invalid('--key-passphrase-file goes with --root-key FILE');
      const r = await rotateIntermediate(ctx, { rootKeyFile, rootKeyPassphrase: passFile ? readPassphraseFile(passFile) : undefined, days: intOption(args, 'days') });
      const human = [
        kv([
          ['new intermediate', `${r.ca.name} (${r.ca.keyType}), active`],
          ['valid', `${r.ca.notBefore} .. ${r.ca.notAfter}`],
          ['SHA-256', formatFingerprint(r.ca.sha256)],
          ['root', `${r.ca.root?.name ?? '?'} (unchanged: nothing to do on workstations)`],
          ['previous', `${r.previous.name}: its certificates still verify; it signs its CRL until \`ca retire-old\``],
        ]),
        '',
        r.onPreviousCa.length
          ? `${r.onPreviousCa.length} node(s) still carry certificates from the previous intermediate: \`cluster-trust renew --old-ca\`, push, then \`cluster-trust ca retire-old\`.`
          : 'no node carries a certificate from the previous intermediate: `cluster-trust ca retire-old` can follow.',
      ].join('\n');
      return { human, json: r };
    },
  },
];

import { missingKeyNote } from '../../core/bundle.ts';
import { prepareBundleExport } from '../../core/export-bundle.ts';
import { BUNDLE_FORMATS, type BundleFormat } from '../../bundle/write.ts';
import { invalid } from '../../errors.ts';
import { generatePassphrase, readPassphraseFile } from '../../keychain/passphrase.ts';
import { one } from '../args.ts';
import type { Command } from '../command.ts';

export const bundleCommands: Command[] = [
  {
    words: ['bundle'],
    usage: `bundle NAME --out PATH [--format ${BUNDLE_FORMATS.join('|')}] [--p12-password-file FILE]`,
    summary: 'write a node\'s bundle: ca.crt, node.crt (leaf then chain), node.key (0600), README.txt and its profile\'s files',
    options: [{ name: 'out', value: true }, { name: 'format', value: true }, { name: 'p12-password-file', value: true }],
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const out = one(args, 'out');
      if (!out) throw invalid('bundle needs --out PATH');
      const format = (one(args, 'format') ?? 'dir') as BundleFormat;
      if (!BUNDLE_FORMATS.includes(format)) throw invalid(`unknown bundle format "${format}"; use ${BUNDLE_FORMATS.join(', ')}`);
      const passwordFile = one(args, 'p12-password-file');
      if (passwordFile && format !== 'p12') throw invalid('--p12-password-file only goes with --format p12');
      // Without --p12-password-file a strong password is generated and shown once (stored nowhere).
      const password = format !== 'p12' ? undefined : passwordFile ? readPassphraseFile(passwordFile) : generatePassphrase();
      const prepared = await prepareBundleExport(ctx, args.positionals[0]!, format, password);
      const done = await prepared.writeTo(out);
      const json = { node: done.node, serial: done.serial, path: done.path, format };
      if (format === 'p12') {
        return {
          human: `wrote ${done.node}'s key, certificate and CA chain to ${done.path} (PKCS#12)${passwordFile ? '' : `\npassword (shown only now, not stored): ${password}`}`,
          json: { ...json, ...(passwordFile ? {} : { p12Password: password }) },
        };
      }
      const note = missingKeyNote(prepared.bundle);
      return {
        human: `wrote the bundle for ${done.node} to ${done.path}\n${done.files.map((f) => `  ${f.path}`).join('\n')}${note ? `\n${note}` : ''}`,
        json: { ...json, files: done.files.map((f) => f.path) },
      };
    },
  },
];

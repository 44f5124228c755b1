import { buildNodeBundle, missingKeyNote, refusePkcs12WithoutKey } from '../../core/bundle.ts';
import { writeBundleDir, writeBundleTar, writeBundleFile, BUNDLE_FORMATS, type BundleFormat } from '../../bundle/write.ts';
import { invalid } from '../../errors.ts';
import { generatePassphrase, readPassphraseFile } from '../../keychain/passphrase.ts';
import { one } from '../args.ts';
import { audit } from '../../vault/audit.ts';
import type { NodeBundle } from '../../core/bundle.ts';
import type { Command } from '../command.ts';

/**
 * The bundle as one PKCS#12 file: node key, leaf and issuing CA. Without --p12-password-file a
 * strong password is generated and shown once (it is stored nowhere).
 */
async function writeP12(bundle: NodeBundle, out: string, passwordFile: string | undefined): Promise<{ path: string; password?: string }> {
  const file = (name: string) => bundle.files.find((f) => f.path === name)?.content.toString();
  refusePkcs12WithoutKey(bundle);
  const keyPem = file('node.key')!;
  const password = passwordFile ? readPassphraseFile(passwordFile) : generatePassphrase();
  const { pkcs12FromPem } = await import('../../pki/pkcs12.ts'); // node-forge, for this format only
  const p12 = pkcs12FromPem({ keyPem, certsPem: file('node.crt') ?? '', password, friendlyName: bundle.node.name });
  return { path: writeBundleFile(p12, out), ...(passwordFile ? {} : { password }) };
}

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
      const bundle = await buildNodeBundle(ctx, args.positionals[0]!);
      if (format === 'p12') {
        const { path, password } = await writeP12(bundle, out, passwordFile);
        audit(ctx, { action: 'bundle.export', node: bundle.node.name, serial: bundle.cert.serial, fingerprint: bundle.cert.fingerprint, detail: `p12 to ${path}` });
        return {
          human: `wrote ${bundle.node.name}'s key, certificate and CA chain to ${path} (PKCS#12)${password ? `\npassword (shown only now, not stored): ${password}` : ''}`,
          json: { node: bundle.node.name, serial: bundle.cert.serial, path, format, ...(password ? { p12Password: password } : {}) },
        };
      }
      const path = format === 'dir' ? writeBundleDir(bundle.files, out) : await writeBundleTar(bundle.files, out);
      audit(ctx, { action: 'bundle.export', node: bundle.node.name, serial: bundle.cert.serial, fingerprint: bundle.cert.fingerprint, detail: `${format} to ${path}` });
      return {
        human: `wrote the bundle for ${bundle.node.name} to ${path}\n${bundle.files.map((f) => `  ${f.path}`).join('\n')}${missingKeyNote(bundle) ? `\n${missingKeyNote(bundle)}` : ''}`,
        json: { node: bundle.node.name, serial: bundle.cert.serial, path, format, files: bundle.files.map((f) => f.path) },
      };
    },
  },
];

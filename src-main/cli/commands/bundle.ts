import { buildNodeBundle } from '../../core/bundle.ts';
import { writeBundleDir, writeBundleTar, BUNDLE_FORMATS, type BundleFormat } from '../../bundle/write.ts';
import { invalid } from '../../core/errors.ts';
import { one } from '../args.ts';
import type { Command } from '../command.ts';

export const bundleCommands: Command[] = [
  {
    words: ['bundle'],
    usage: `bundle NAME --out PATH [--format ${BUNDLE_FORMATS.join('|')}]`,
    summary: 'write a node\'s bundle: ca.crt, node.crt (leaf then chain), node.key (0600), README.txt and its profile\'s files',
    options: [{ name: 'out', value: true }, { name: 'format', value: true }],
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const out = one(args, 'out');
      if (!out) throw invalid('bundle needs --out PATH');
      const format = (one(args, 'format') ?? 'dir') as BundleFormat;
      if (!BUNDLE_FORMATS.includes(format)) throw invalid(`unknown bundle format "${format}"; use ${BUNDLE_FORMATS.join(', ')}`);
      const bundle = await buildNodeBundle(ctx, args.positionals[0]!);
      let path: string;
      if (format === 'dir') path = writeBundleDir(bundle.files, out);
      else if (format === 'tar') path = await writeBundleTar(bundle.files, out);
      else throw invalid('PKCS#12 bundles are not available yet');
      return {
        human: `wrote the bundle for ${bundle.node.name} to ${path}\n${bundle.files.map((f) => `  ${f.path}`).join('\n')}`,
        json: { node: bundle.node.name, serial: bundle.cert.serial, path, format, files: bundle.files.map((f) => f.path) },
      };
    },
  },
];

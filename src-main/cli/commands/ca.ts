import { initCa, importCa, showCa, exportCaCert, type CaInfo } from '../../core/ca.ts';
import { initTwoTierCa } from '../../core/two-tier.ts';
import { readInputBytes, readInputFile } from '../input-files.ts';
import { exportCaPassphrases, importCaPassphrases } from '../../core/ca-passphrases.ts';
import { writeBundleFile } from '../../bundle/write.ts';
import { formatFingerprint } from '../../pki/inspect.ts';
import { describeConstraints } from '../../pki/name-constraints.ts';
import { isKeyType, KEY_TYPES } from '../../pki/policy.ts';
import { readPassphraseFile } from '../../keychain/passphrase.ts';
import { describeKeychain, type KeychainInfo } from '../../keychain/keychain.ts';
import { invalid, UserError } from '../../errors.ts';
import { intOption, many, one, type OptionSpec, type ParsedArgs } from '../args.ts';
import { kv } from '../format.ts';
import type { Command } from '../command.ts';

export function describeCaConstraints(ca: CaInfo): string {
  return ca.nameConstraints ? describeConstraints(ca.nameConstraints) : 'none: it can sign for any name (see --permit-dns, --permit-ip)';
}

export function constraintWarningLines(ca: CaInfo): string {
  return (ca.warnings ?? []).map((w) => `\nwarning: ${w}`).join('');
}

/** Two tiers: the root's lines (trust anchor, where its key is). */
function rootLines(ca: CaInfo): Array<[string, string]> {
  const root = ca.root;
  if (!root) return [['tiers', 'one: this CA is its own root and signs the nodes (its key: in the vault)']];
  const key = root.keyInVault
    ? `in the vault (passphrase ${root.passphraseLocation})${root.exported ? `; exported to ${root.exported.path} on ${root.exported.at}` : '; not exported yet'}`
    : `not in the vault${root.exported ? ` (exported to ${root.exported.path} on ${root.exported.at})` : ''}: needed only for \`ca intermediate rotate --root-key FILE\``;
  return [
    ['tiers', 'two: an offline root (the trust anchor) and an intermediate that signs the nodes'],
    ['root', `${root.name}, valid until ${root.notAfter}`],
    ['root SHA-256', formatFingerprint(root.sha256)],
    ['root key', key],
    ['root names', root.nameConstraints ? describeConstraints(root.nameConstraints) : 'none: it can sign for any name'],
  ];
}

function describe(ca: CaInfo, keychain?: KeychainInfo): string {
  return kv([
    ...rootLines(ca),
    [ca.root ? 'intermediate' : 'CA', ca.name],
    ['subject', ca.subject],
    ['key', ca.keyType],
    ['valid', `${ca.notBefore} .. ${ca.notAfter}`],
    ['SHA-256', formatFingerprint(ca.sha256)],
    [ca.root ? 'intermediate key' : 'key file', 'in the vault'],
    ['passphrase', ca.passphraseLocation],
    ['names', describeCaConstraints(ca)],
    ...(keychain ? [['keychain', keychain.reachable ? `${keychain.backend} (reachable)` : `not reachable: ${keychain.detail}`] as [string, string]] : []),
  ]) + constraintWarningLines(ca);
}

export const PERMIT_OPTIONS: OptionSpec[] = [{ name: 'permit-dns', value: true, repeat: true }, { name: 'permit-ip', value: true, repeat: true }];

/** `--permit-dns a.example --permit-dns b.example` or `--permit-dns a.example,b.example`; undefined when neither is given. */
export function permitOptions(args: ParsedArgs): { dns: string[]; ips: string[] } | undefined {
  if (!args.options.has('permit-dns') && !args.options.has('permit-ip')) return undefined;
  const list = (name: string): string[] => many(args, name).flatMap((v) => v.split(',')).filter((v) => v.trim() !== '');
  return { dns: list('permit-dns'), ips: list('permit-ip') };
}

/** `--org O --org-unit OU`: the CA subject's organization and unit (undefined: the default or the old CA's). */
export const SUBJECT_OPTIONS: OptionSpec[] = [{ name: 'org', value: true }, { name: 'org-unit', value: true }];

export function subjectOptions(args: ParsedArgs): { org?: string; orgUnit?: string } {
  const org = one(args, 'org');
  const orgUnit = one(args, 'org-unit');
  return { ...(org !== undefined ? { org } : {}), ...(orgUnit !== undefined ? { orgUnit } : {}) };
}

export const caCommands: Command[] = [
  {
    words: ['ca', 'init'],
    usage: `ca init --name NAME [--org O] [--org-unit OU] [--key ${KEY_TYPES.join('|')}] [--days N] [--permit-dns SUFFIX]... [--permit-ip CIDR]... [--intermediate]`,
    summary: 'create the cluster\'s root CA (subject O=Cluster Trust unless --org; --org-unit adds an OU; passphrase kept in the OS keychain, or your --passphrase-file, or typed on the terminal where no keychain answers); --permit-* limit it to your names (critical nameConstraints); --intermediate: a root that can go offline and an intermediate that signs the nodes',
    options: [{ name: 'name', value: true }, ...SUBJECT_OPTIONS, { name: 'key', value: true }, { name: 'days', value: true }, ...PERMIT_OPTIONS, { name: 'intermediate' }],
    async run(ctx, args) {
      const name = one(args, 'name');
      if (!name) throw invalid('ca init needs --name NAME');
      const key = one(args, 'key');
      if (key !== undefined && !isKeyType(key)) throw invalid(`unknown key type "${key}"; use one of ${KEY_TYPES.join(', ')}`);
      const opts = { name, keyType: key as never, days: intOption(args, 'days'), permit: permitOptions(args), subject: subjectOptions(args) };
      const ca = args.flags.has('intermediate') ? await initTwoTierCa(ctx, opts) : await initCa(ctx, opts);
      return { human: `created CA in ${ctx.vault.home}\n${describe(ca)}`, json: ca };
    },
  },
  {
    words: ['ca', 'show'],
    usage: 'ca show',
    summary: 'show the active CA',
    async run(ctx) {
      const ca = showCa(ctx);
      const keychain = await describeKeychain(ctx.keychain);
      return { human: describe(ca, keychain), json: { ...ca, keychain } };
    },
  },
  {
    words: ['ca', 'export'],
    usage: 'ca export --out FILE',
    summary: 'write the certificate to trust (the CA, or a two-tier CA\'s root; never a key) to FILE',
    options: [{ name: 'out', value: true }],
    async run(ctx, args) {
      const out = one(args, 'out');
      if (!out) throw invalid('ca export needs --out FILE');
      const path = writeBundleFile(Buffer.from(exportCaCert(ctx)), out);
      return { human: `wrote the CA certificate to trust to ${path}`, json: { path } };
    },
  },
  {
    words: ['ca', 'passphrase', 'export'],
    usage: 'ca passphrase export --out FILE',
    summary: 'write the CA passphrases this keychain keeps to FILE (0600; keep it offline), to open a restored vault elsewhere',
    options: [{ name: 'out', value: true }],
    async run(ctx, args) {
      const out = one(args, 'out');
      if (!out || args.positionals.length) throw invalid(`usage: cluster-trust ${this.usage}`);
      const r = await exportCaPassphrases(ctx, out);
      const missing = r.missing.length ? `\nnot in this keychain (left out): ${r.missing.join(', ')}` : '';
      return { human: `wrote the passphrases of ${r.cas.join(', ')} to ${r.path}; keep it offline: with a backup it signs as your CA${missing}`, json: r };
    },
  },
  {
    words: ['ca', 'passphrase', 'import'],
    usage: 'ca passphrase import FILE',
    summary: 'store the CA passphrases from a `ca passphrase export` file in this keychain (each checked against its CA key first)',
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const r = await importCaPassphrases(ctx, args.positionals[0]!);
      const unknown = r.unknown.length ? `\n${r.unknown.length} entr${r.unknown.length === 1 ? 'y is' : 'ies are'} for CAs this vault does not hold (skipped)` : '';
      return { human: `stored the passphrases of ${r.stored.join(', ')} in the OS keychain${unknown}`, json: r };
    },
  },
  {
    words: ['ca', 'import'],
    usage: 'ca import --cert FILE --key FILE [--key-passphrase-file FILE] | --p12 FILE [--p12-password-file FILE]',
    summary: 'adopt an existing CA (PEM cert + key, or a PKCS#12 file); its key is re-encrypted under a new vault passphrase',
    options: [
      { name: 'cert', value: true },
      { name: 'key', value: true },
      { name: 'key-passphrase-file', value: true },
      { name: 'p12', value: true },
      { name: 'p12-password-file', value: true },
    ],
    async run(ctx, args) {
      const cert = one(args, 'cert');
      const key = one(args, 'key');
      const p12 = one(args, 'p12');
      if (p12) {
        if (cert || key || args.options.has('key-passphrase-file')) throw invalid('ca import takes either --p12 FILE or --cert FILE --key FILE, not both');
        const passwordFile = one(args, 'p12-password-file');
        // A PKCS#12 file may have an empty password (`openssl pkcs12 -passout pass:`).
        // node-forge loads for PKCS#12 only.
        const { importCaFromP12 } = await import('../../core/import-p12.ts');
        const ca = await importCaFromP12(ctx, { p12: readInputBytes(p12, 'PKCS#12 file'), password: passwordFile ? readPassphraseFile(passwordFile) : '' }).catch((err: unknown) => {
          if (!passwordFile && err instanceof UserError && err.code === 'bad-passphrase') {
            throw new UserError('bad-passphrase', 'the PKCS#12 file is protected by a password: give it with --p12-password-file FILE');
          }
          throw err;
        });
        return { human: `imported CA into ${ctx.vault.home}\n${describe(ca)}`, json: ca };
      }
      if (args.options.has('p12-password-file')) throw invalid('--p12-password-file goes with --p12 FILE');
      if (!cert || !key) throw invalid('ca import needs --cert FILE and --key FILE (or --p12 FILE)');
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

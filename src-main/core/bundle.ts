import { plainPkcs8Pem } from '../pki/keys.ts';
import { openNodeKey } from '../keychain/node-keys.ts';
import { getProfile, installDirOf } from '../profiles/index.ts';
import { caCertPath, nodeKeyKek, trustedCaPems } from './ca.ts';
import { findNode, latestCert } from './nodes.ts';
import { UserError } from '../errors.ts';
import { crlBundleFiles } from './crl.ts';
import { sharedMaelstromPairs } from './maelstrom-keys.ts';
import type { CoreContext } from './context.ts';
import type { BundleFile } from '../profiles/types.ts';
import type { CertRecord, NodeRecord } from '../vault/schema.ts';

export interface NodeBundle {
  node: NodeRecord;
  cert: CertRecord;
  files: BundleFile[];
}

function readme(node: NodeRecord, cert: CertRecord, files: BundleFile[]): string {
  const lines = [
    `Cluster Trust bundle for node "${node.name}" (profile ${node.profile})`,
    `Certificate serial ${cert.serial}, SHA-256 ${cert.fingerprint}`,
    `Valid until ${cert.notAfter}. Names: ${[...cert.dns, ...cert.ips].join(', ')}`,
    '',
    'Files:',
    ...files.map((f) => `  ${f.path.padEnd(28)} ${f.description}`),
    '',
    'Keep node.key readable only by the service that uses it (mode 0600).',
  ];
  return `${lines.join('\n')}\n`;
}

/** Why a bundle has no node.key, for people (null when it has one). */
export function missingKeyNote(bundle: NodeBundle): string | null {
  if (bundle.files.some((f) => f.path === 'node.key')) return null;
  return bundle.cert.keyOnNode
    ? `no node.key: the key of ${bundle.node.name} was made on the node and never leaves it (push installs the bundle beside it)`
    : `no node.key: ${bundle.node.name} keeps its own key (its certificate was signed from a CSR)`;
}

/** A PKCS#12 file needs the private key: refused, with the reason, for a bundle without one. */
export function refusePkcs12WithoutKey(bundle: NodeBundle): void {
  if (bundle.files.some((f) => f.path === 'node.key')) return;
  if (bundle.cert.keyOnNode) {
    throw new UserError('refused', `the key of node "${bundle.node.name}" was made on the node and never leaves it, so there is no PKCS#12 file to make; export a folder or a tar.gz (everything but the key) instead`);
  }
  throw new UserError('refused', `node "${bundle.node.name}" keeps its own key (its certificate was signed from a CSR), so there is nothing to put in a PKCS#12 file; export a folder or a tar.gz instead`);
}

/** The live certificate a bundle is made from: the node's newest, if it is not revoked. */
export function currentCert(ctx: CoreContext, node: string): CertRecord {
  const cert = latestCert(ctx.vault.read(), node);
  if (!cert) throw new UserError('not-found', `node "${node}" has no certificate yet`, { cli: `run \`cluster-trust issue ${node}\``, app: 'issue one first (Issue)' });
  if (cert.status === 'revoked') throw new UserError('refused', `the newest certificate of "${node}" is revoked: issue a new one first`);
  return cert;
}

/** Everything a node needs, in memory: CA bundle, leaf + chain, the plaintext key, profile files. */
export async function buildNodeBundle(ctx: CoreContext, name: string): Promise<NodeBundle> {
  const inv = ctx.vault.read();
  const node = findNode(inv, name);
  const cert = currentCert(ctx, name);
  const ca = inv.cas.find((c) => c.id === cert.caId);
  if (!ca) throw new UserError('vault-corrupt', `the CA that issued ${cert.serial} is missing from the vault`);
  if (ca.status === 'retired') throw new UserError('refused', `the certificate of "${name}" comes from a retired CA that nothing trusts any more`, { cli: `run \`cluster-trust renew ${name}\` first`, app: 'renew it first (Renew on its page)' });
  const entry = ctx.vault.readPack(cert.pack).certs[cert.serial];
  if (!entry) throw new UserError('vault-corrupt', `certificate ${cert.serial} is missing from the vault`);
  const files: BundleFile[] = [
    { path: 'ca.crt', content: trustedCaPems(ctx, inv).join(''), mode: 0o644, description: 'CA certificate(s) to trust' },
    { path: 'node.crt', content: entry.cert + ctx.vault.readText(caCertPath(ca.id)), mode: 0o644, description: 'this node\'s certificate, then its issuing CA' },
  ];
  if (entry.key) {
    const der = openNodeKey(await nodeKeyKek(ctx, ca), entry.key);
    files.push({ path: 'node.key', content: plainPkcs8Pem(der), mode: 0o600, description: 'this node\'s private key (unencrypted PEM)' });
  }
  const installDir = installDirOf(node);
  files.push(...crlBundleFiles(ctx, inv));
  files.push(...(await getProfile(node.profile).files({ node, inventory: inv, installDir, sharedKeyPairs: () => sharedMaelstromPairs(ctx) })));
  files.push({ path: 'README.txt', content: '', mode: 0o644, description: 'this file' });
  files[files.length - 1]!.content = readme(node, cert, files);
  return { node, cert, files };
}

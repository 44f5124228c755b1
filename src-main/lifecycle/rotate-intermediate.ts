import { parseCaCertificate, type CaMaterial } from '../pki/certificates.ts';
import { caInfo, caPassphrase, prepareCa } from '../core/ca.ts';
import { activeRoot, intermediateName, makeIntermediate, unlockRootInVault } from '../core/two-tier.ts';
import { rootFromKeyFile } from '../core/root-key.ts';
import { unlockTrustedCas } from '../core/crl.ts';
import { UserError } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { installNewCa, nextCaName, refuseIfRotating, type Rotated } from './install-ca.ts';
import type { CoreContext } from '../core/context.ts';

/**
 * `ca intermediate rotate [--root-key FILE]`: the root signs a new intermediate, which becomes the
 * active CA; the old one becomes `previous`, still signing its CRL and still in the chain of the
 * leaves it issued (they verify against the unchanged root) until they are renewed and
 * `ca retire-old` retires it. The trust anchor does not change, so workstations need nothing.
 * The root key comes from the vault, or from FILE when `ca root remove` took it out; a wrong file,
 * a wrong passphrase or another key is refused before anything is written.
 */
export async function rotateIntermediate(ctx: CoreContext, opts: { rootKeyFile?: string; rootKeyPassphrase?: string; days?: number } = {}): Promise<Rotated> {
  const snapshot = ctx.vault.read();
  const { ca: old, root } = activeRoot(snapshot);
  refuseIfRotating(snapshot);
  let signer: CaMaterial;
  if (opts.rootKeyFile) signer = await rootFromKeyFile(ctx, root, { keyFile: opts.rootKeyFile, passphrase: opts.rootKeyPassphrase });
  else if (root.keyInVault) signer = await unlockRootInVault(ctx, root);
  else throw new UserError('refused', `the key of the root "${root.name}" is not in this vault (removed with \`ca root remove\`)`, { cli: 'give its exported file with --root-key FILE', app: 'load the exported root key file' });
  const generation = snapshot.cas.filter((c) => c.rootId === root.id).length + 1;
  const name = nextCaName(intermediateName(root.name), generation);
  const made = await makeIntermediate(signer, { name, keyType: old.keyType, days: opts.days, now: ctx.now() });
  // CRLs are kept for every trusted CA: the old intermediate's must be re-signed too, so unlock it first.
  const signers = snapshot.crl ? await unlockTrustedCas(ctx, snapshot) : new Map<string, CaMaterial>();
  const choice = old.passphraseIn === 'typed' && !ctx.passphraseFile ? { typed: await caPassphrase(ctx, old) } : {};
  const prepared = await prepareCa(ctx, { name, certPem: made.certPem, keyDer: made.keyDer, keyType: old.keyType, imported: false }, () => {}, choice);
  const record = { ...prepared.record, rootId: root.id };
  signers.set(record.id, { certPem: made.certPem, cert: parseCaCertificate(made.certPem), signingKey: made.signingKey, keyType: old.keyType });
  const onPreviousCa = await installNewCa(ctx, old, prepared, signers, record);
  audit(ctx, { action: 'ca.intermediate-rotate', fingerprint: record.fingerprint, detail: `new intermediate "${record.name}" signed by root ${root.fingerprint} (key from ${opts.rootKeyFile ? 'a file' : 'the vault'}); previous intermediate ${old.fingerprint} signs its CRL until retire-old` });
  return { ca: caInfo(ctx, record), previous: { ...old, status: 'previous' }, onPreviousCa };
}

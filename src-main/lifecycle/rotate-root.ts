import { createRootCa, parseCaCertificate, type CaMaterial } from '../pki/certificates.ts';
import { exportPkcs8Der } from '../pki/keys.ts';
import type { KeyType } from '../pki/policy.ts';
import { caInfo, caPassphrase, prepareCa, rootCertPath, rootOf, type PreparedCa } from '../core/ca.ts';
import { checkedIntermediateName, makeIntermediate, rootRecordOf } from '../core/two-tier.ts';
import { constraintWarnings, refuseNodesOutside } from '../core/name-policy.ts';
import { unlockTrustedCas } from '../core/crl.ts';
import { invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { installNewCa, nextRotationName, successorTraits, type RotateOptions, type Rotated } from './install-ca.ts';
import type { CoreContext } from '../core/context.ts';
import type { CaRecord, Inventory } from '../vault/schema.ts';

/** A new root whose subject equals a CA's already in the vault would leave verifiers two certificates to pick from by name. */
function refuseTakenName(inv: Inventory, names: string[]): void {
  const taken = new Set([...inv.roots, ...inv.cas].map((c) => c.name.trim().toLowerCase()));
  const clash = names.find((n) => taken.has(n.toLowerCase()));
  if (clash !== undefined) throw invalid(`a CA named "${clash}" is already in this vault: the new root and its intermediate need names of their own, so no verifier confuses the two`, { cli: 'choose another --name (or leave it out for the next generation\'s)', app: 'choose another name' });
}

/**
 * `ca rotate` on a two-tier vault: a new self-signed root (the old root's key is not needed, and
 * may be gone) signs a new intermediate, which becomes the active CA; the old intermediate becomes
 * `previous` like any rotation's, so its root stays in every ca.crt beside the new one until
 * `ca retire-old`. Both keep the old root's O, OU and constraints unless given; constraints that
 * would strand existing nodes are refused before any key is made. Root and intermediate land in
 * one transaction, each key under its own passphrase like `ca init --intermediate`.
 */
export async function rotateRoot(ctx: CoreContext, old: CaRecord, opts: RotateOptions): Promise<Rotated> {
  const snapshot = ctx.vault.read();
  const oldRoot = rootOf(snapshot, old)!;
  const keyType = (opts.keyType as KeyType | undefined) ?? oldRoot.keyType;
  const rootName = (opts.name ?? nextRotationName(snapshot)).trim();
  const interName = checkedIntermediateName(rootName, 'the new root\'s name');
  refuseTakenName(snapshot, [rootName, interName]);
  const { subject, nameConstraints } = successorTraits(parseCaCertificate(ctx.vault.readText(rootCertPath(oldRoot.id))), opts);
  refuseNodesOutside(nameConstraints, snapshot.nodes);
  const now = ctx.now();
  const root = await createRootCa({ name: rootName, keyType, days: opts.days, now, nameConstraints, twoTier: true, subject });
  const rootMaterial: CaMaterial = { certPem: root.certPem, cert: parseCaCertificate(root.certPem), signingKey: root.key.privateKey, keyType };
  const inter = await makeIntermediate(rootMaterial, { name: interName, keyType, days: opts.days, now });
  // CRLs are kept for every trusted CA: the old intermediate's must be re-signed too, so unlock it first.
  const signers = snapshot.crl ? await unlockTrustedCas(ctx, snapshot) : new Map<string, CaMaterial>();
  // The user's own passphrase passes to both successors: still one passphrase to know.
  const choice = old.passphraseIn === 'typed' && !ctx.passphraseFile ? { typed: await caPassphrase(ctx, old) } : {};
  const preparedInter = await prepareCa(ctx, { name: interName, certPem: inter.certPem, keyDer: inter.keyDer, keyType, imported: false }, () => {}, choice);
  let preparedRoot: PreparedCa;
  try {
    // One typed on a terminal just now opens both keys; the keychain gets one random passphrase each.
    const typed = preparedInter.record.passphraseIn === 'typed' ? ctx.session.get(preparedInter.record.fingerprint) : undefined;
    preparedRoot = await prepareCa(ctx, { name: rootName, certPem: root.certPem, keyDer: await exportPkcs8Der(root.key.privateKey), keyType, imported: false }, () => {}, typed !== undefined ? { typed } : choice);
  } catch (err) {
    await preparedInter.discard();
    throw err;
  }
  const rootRecord = rootRecordOf(preparedRoot);
  const record: CaRecord = { ...preparedInter.record, rootId: rootRecord.id };
  signers.set(record.id, { certPem: inter.certPem, cert: parseCaCertificate(inter.certPem), signingKey: inter.signingKey, keyType });
  const onPreviousCa = await installNewCa(ctx, old, preparedInter, signers, record, { prepared: preparedRoot, record: rootRecord });
  audit(ctx, [
    { action: 'ca.rotate', fingerprint: rootRecord.fingerprint, detail: `new root "${rootRecord.name}" (${keyType}); previous root ${oldRoot.fingerprint} stays in every ca.crt until retire-old` },
    { action: 'ca.create', fingerprint: record.fingerprint, detail: `${record.name} (${keyType}), intermediate signed by ${rootRecord.fingerprint}, signs the nodes; previous intermediate ${old.fingerprint} signs its CRL until retire-old` },
  ]);
  const info = caInfo(ctx, record);
  return { ca: { ...info, warnings: constraintWarnings(info.nameConstraints, ctx.vault.read().nodes) }, previous: { ...old, status: 'previous' }, onPreviousCa };
}

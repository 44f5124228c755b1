import type { KeyObject } from 'node:crypto';
import { createIntermediateCa, createRootCa, parseCaCertificate, type CaMaterial } from '../pki/certificates.ts';
import { caSubjectOf, checkCaSubject, type CaSubjectInput } from '../pki/ca-subject.ts';
import { exportPkcs8Der, readPrivateKey, spkiOf, toSigningKey } from '../pki/keys.ts';
import { DEFAULT_KEY_TYPE, type KeyType } from '../pki/policy.ts';
import { constraintsFor, parsePermitted, readNameConstraints, type NameConstraintsInfo } from '../pki/name-constraints.ts';
import { lookupPassphrase } from '../keychain/passphrase.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import { caCertPath, caInfo, caKeyPath, prepareCa, rootCertPath, rootKeyPath, rootOf, activeCaRecord, type CaInfo, type NewCaPassphraseChoice, type PermittedNames, type PreparedCa } from './ca.ts';
import { constraintWarnings } from './name-policy.ts';
import type { CoreContext } from './context.ts';
import type { CaRecord, Inventory, RootRecord } from '../vault/schema.ts';

/** "Cluster CA" -> "Cluster CA Intermediate": the intermediate's subject differs from its root's. */
export function intermediateName(rootName: string): string {
  return `${rootName.trim()} Intermediate`;
}

/** A new intermediate, signed by the root, carrying the root's own name constraints. */
export async function makeIntermediate(root: CaMaterial, opts: { name: string; keyType: KeyType; days?: number; now: Date }): Promise<{ certPem: string; keyDer: Buffer; signingKey: CryptoKey }> {
  const constraints = readNameConstraints(root.cert);
  const nameConstraints: NameConstraintsInfo | undefined = constraints ? { ...constraints, critical: true } : undefined;
  // The intermediate belongs to the root's organization: same O and OU.
  const made = await createIntermediateCa(root, { ...opts, nameConstraints, subject: caSubjectOf(root.cert) });
  return { certPem: made.certPem, keyDer: await exportPkcs8Der(made.key.privateKey), signingKey: made.key.privateKey };
}

/**
 * The intermediate's name for a root's: refused when it would pass the 64-character CN limit.
 * `what` names the root's name as the user gave it.
 */
export function checkedIntermediateName(rootName: string, what: string): string {
  const name = intermediateName(rootName);
  if (name.length > 64) throw invalid(`${what} must be at most ${64 - (name.length - rootName.trim().length)} characters (the intermediate is named "${name}")`);
  return name;
}

/** A root record from the prepared CA that carried its passphrase and fingerprint. */
export function rootRecordOf(prepared: PreparedCa): RootRecord {
  const r = prepared.record;
  return { id: r.id, name: r.name, fingerprint: r.fingerprint, keyType: r.keyType, notBefore: r.notBefore, notAfter: r.notAfter, createdAt: r.createdAt, passphraseIn: r.passphraseIn, keyInVault: true };
}

/**
 * `ca init --intermediate`: a root (pathlen 1) that signs only an intermediate (pathlen 0), which
 * signs the nodes. Both carry the same critical name constraints. Each key is encrypted under its
 * own passphrase (two keychain entries; a passphrase file or a typed passphrase serves both). One
 * vault transaction writes both, or neither.
 */
export async function initTwoTierCa(ctx: CoreContext, opts: { name: string; keyType?: KeyType; days?: number; permit?: PermittedNames; passphrase?: NewCaPassphraseChoice; subject?: CaSubjectInput }): Promise<CaInfo> {
  const hasCa = (inv: Inventory): boolean => inv.cas.some((c) => c.status === 'active');
  if (ctx.vault.exists() && hasCa(ctx.vault.read())) {
    throw new UserError('conflict', `the vault in ${ctx.vault.home} already has a CA; use another --home, or rotate the CA`, `the vault in ${ctx.vault.home} already has a CA; rotate it instead (CA rotation)`);
  }
  const keyType = opts.keyType ?? DEFAULT_KEY_TYPE;
  const subject = checkCaSubject(opts.subject ?? {});
  const rootName = opts.name.trim();
  const interName = checkedIntermediateName(rootName, 'with --intermediate the CA name');
  const nameConstraints = opts.permit ? constraintsFor(parsePermitted(opts.permit)) : undefined;
  const now = ctx.now();
  const root = await createRootCa({ name: rootName, keyType, days: opts.days, now, nameConstraints, twoTier: true, subject });
  const rootMaterial: CaMaterial = { certPem: root.certPem, cert: parseCaCertificate(root.certPem), signingKey: root.key.privateKey, keyType };
  const inter = await makeIntermediate(rootMaterial, { name: interName, keyType, days: opts.days, now });
  const refuseIfTaken = (): void => {
    if (hasCa(ctx.vault.read())) throw new UserError('conflict', 'this vault already has a CA; use another --home, or rotate the CA', 'this vault already has a CA; rotate it instead (CA rotation)');
  };
  const preparedInter = await prepareCa(ctx, { name: interName, certPem: inter.certPem, keyDer: inter.keyDer, keyType, imported: false }, refuseIfTaken, opts.passphrase);
  let preparedRoot: PreparedCa;
  try {
    // A typed passphrase is asked once and opens both keys; the keychain gets one random passphrase each.
    const typed = preparedInter.record.passphraseIn === 'typed' ? ctx.session.get(preparedInter.record.fingerprint) : undefined;
    preparedRoot = await prepareCa(ctx, { name: rootName, certPem: root.certPem, keyDer: await exportPkcs8Der(root.key.privateKey), keyType, imported: false }, refuseIfTaken, typed !== undefined ? { typed } : opts.passphrase);
  } catch (err) {
    await preparedInter.discard();
    throw err;
  }
  const rootRecord = rootRecordOf(preparedRoot);
  const record: CaRecord = { ...preparedInter.record, rootId: rootRecord.id };
  try {
    await ctx.vault.update((inv, tx) => {
      if (hasCa(inv)) throw new UserError('conflict', 'this vault already has a CA');
      tx.write(rootCertPath(rootRecord.id), preparedRoot.certPem, 0o644);
      tx.write(rootKeyPath(rootRecord.id), preparedRoot.encryptedKey, 0o600);
      tx.write(caCertPath(record.id), preparedInter.certPem, 0o644);
      tx.write(caKeyPath(record.id), preparedInter.encryptedKey, 0o600);
      inv.roots.push(rootRecord);
      inv.cas.push(record);
    });
  } catch (err) {
    // The vault took neither: no orphan secret stays in the keychain.
    await preparedRoot.discard();
    await preparedInter.discard();
    throw err;
  }
  audit(ctx, [
    { action: 'ca.create', fingerprint: rootRecord.fingerprint, detail: `${rootRecord.name} (${keyType}), two-tier root (signs intermediates only), passphrase ${rootRecord.passphraseIn === 'typed' ? 'typed by the user, kept nowhere' : `in the ${rootRecord.passphraseIn}`}` },
    { action: 'ca.create', fingerprint: record.fingerprint, detail: `${record.name} (${keyType}), intermediate signed by ${rootRecord.fingerprint}, signs the nodes` },
  ]);
  const info = caInfo(ctx, record);
  return { ...info, warnings: constraintWarnings(info.nameConstraints, ctx.vault.read().nodes) };
}

/** The active CA's root; a one-tier vault has none to act on. */
export function activeRoot(inv: Inventory): { ca: CaRecord; root: RootRecord } {
  const ca = activeCaRecord(inv);
  const root = rootOf(inv, ca);
  if (!root) throw new UserError('refused', `the CA "${ca.name}" is a one-tier CA (it is its own root): there is no separate root key`, { cli: 'make a two-tier CA with `cluster-trust ca init --intermediate` in a new vault', app: 'make a two-tier CA ("Offline root") in a new vault' });
  return { ca, root };
}

/** Signing material from a root key (decrypted) and the vault's root certificate; the key must be that root's. */
export async function rootMaterial(ctx: CoreContext, root: RootRecord, key: KeyObject): Promise<CaMaterial> {
  const certPem = ctx.vault.readText(rootCertPath(root.id));
  const cert = parseCaCertificate(certPem);
  if (!spkiOf(key).equals(Buffer.from(cert.publicKey.rawData))) {
    throw invalid(`that key is not the key of the root "${root.name}" (SHA-256 ${root.fingerprint.slice(0, 16)}...): its public key differs`);
  }
  const { privateKey, type } = await toSigningKey(key);
  return { certPem, cert, signingKey: privateKey, keyType: type };
}

/** The root key kept in the vault, decrypted with its own passphrase (keychain, file or typed). */
export async function openRootKeyInVault(ctx: CoreContext, root: RootRecord): Promise<KeyObject> {
  if (!root.keyInVault) throw new UserError('refused', `the key of the root "${root.name}" is not in this vault (removed with \`ca root remove\`)`, { cli: 'give the exported key with --root-key FILE', app: 'load the exported root key file' });
  const keyPem = ctx.vault.readText(rootKeyPath(root.id));
  const opens = (pass: string): boolean => {
    try {
      readPrivateKey(keyPem, pass);
      return true;
    } catch {
      return false;
    }
  };
  const passphrase = await lookupPassphrase({ file: ctx.passphraseFile, keychain: ctx.keychain, session: ctx.session, ask: ctx.askPassphrase }, root, opens);
  return readPrivateKey(keyPem, passphrase);
}

export async function unlockRootInVault(ctx: CoreContext, root: RootRecord): Promise<CaMaterial> {
  return rootMaterial(ctx, root, await openRootKeyInVault(ctx, root));
}

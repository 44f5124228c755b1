import { X509Certificate, type KeyObject } from 'node:crypto';
import { createRootCa, parseCaCertificate, assertIsCa, type CaMaterial } from '../pki/certificates.ts';
import { checkCaSubject, type CaSubjectInput } from '../pki/ca-subject.ts';
import { exportPkcs8Der, readPrivateKey, spkiOf, toSigningKey, keyTypeOf } from '../pki/keys.ts';
import { fingerprintSha256, reportOf, type CertificateReport } from '../pki/inspect.ts';
import { pemBlocks, toPem } from '../pki/pem.ts';
import { caKeyIterations, encryptPkcs8Strong, pkcs8Iterations } from '../pki/pkcs8-encrypt.ts';
import { writeFileAtomic } from '../vault/atomic.ts';
import { DEFAULT_KEY_TYPE, type KeyType } from '../pki/policy.ts';
import { checkChosenPassphrase, generatePassphrase, keychainAccount, lookupPassphrase, readPassphraseFile } from '../keychain/passphrase.ts';
import { describeKeychain } from '../keychain/keychain.ts';
import { deriveNodeKeyKekAsync, newKekSalt } from '../keychain/node-keys.ts';
import { constraintsFor, parsePermitted } from '../pki/name-constraints.ts';
import { constraintWarnings } from './name-policy.ts';
import { UserError, invalid } from '../errors.ts';
import { audit } from '../vault/audit.ts';
import type { CoreContext } from './context.ts';
import type { CaRecord, Inventory, RootRecord } from '../vault/schema.ts';

export interface CaInfo extends CertificateReport {
  id: string;
  name: string;
  keyType: KeyType;
  status: CaRecord['status'];
  passphraseIn: CaRecord['passphraseIn'];
  /** Human sentence: where the passphrase is kept. */
  passphraseLocation: string;
  /** Set by init and rotate: names these constraints exclude (a profile's own, existing nodes'). */
  warnings?: string[];
  /** Two tiers: the root that signed this intermediate (absent: this CA is its own root). */
  root?: RootInfo;
}

/** The offline root of a two-tier CA, as `ca show` tells it. */
export interface RootInfo {
  id: string;
  name: string;
  sha256: string;
  notAfter: string;
  nameConstraints: CertificateReport['nameConstraints'];
  /** Whether the root key is still in this vault (false after `ca root remove`). */
  keyInVault: boolean;
  passphraseLocation: string;
  /** The last `ca root export`, if any. */
  exported?: { path: string; at: string };
}

export { caCertPath, caKeyPath, rootCertPath, rootKeyPath } from './ca-paths.ts';
import { caCertPath, caKeyPath, rootCertPath } from './ca-paths.ts';
import { activeCaRecord, rootOf } from './ca-records.ts';
// Record lookups live apart (no PKI code), so read-only commands load without this module.
export { activeCaRecord, rootOf } from './ca-records.ts';

function passphraseLocation(rec: Pick<CaRecord, 'passphraseIn' | 'fingerprint'>): string {
  switch (rec.passphraseIn) {
    case 'keychain':
      return `in the OS keychain (service "Cluster Trust", account "${keychainAccount(rec.fingerprint)}")`;
    case 'file':
      return 'in the passphrase file you chose (keep it safe: it is not stored anywhere else)';
    case 'typed':
      return 'yours alone: typed when the CA was made, kept nowhere, asked again after every start (if you lose it, nothing can sign for this CA)';
  }
}

function rootInfo(ctx: CoreContext, root: RootRecord): RootInfo {
  const report = reportOf(new X509Certificate(ctx.vault.readText(rootCertPath(root.id))));
  return {
    id: root.id,
    name: root.name,
    sha256: report.sha256,
    notAfter: report.notAfter,
    nameConstraints: report.nameConstraints,
    keyInVault: root.keyInVault,
    passphraseLocation: root.keyInVault ? passphraseLocation(root) : 'none kept: the root key is not in this vault',
    ...(root.exported ? { exported: { path: root.exported.path, at: root.exported.at } } : {}),
  };
}

export function caInfo(ctx: CoreContext, rec: CaRecord): CaInfo {
  const report = reportOf(new X509Certificate(ctx.vault.readText(caCertPath(rec.id))));
  const root = rootOf(ctx.vault.read(), rec);
  return { ...report, id: rec.id, name: rec.name, keyType: rec.keyType, status: rec.status, passphraseIn: rec.passphraseIn, passphraseLocation: passphraseLocation(rec), ...(root ? { root: rootInfo(ctx, root) } : {}) };
}

export function showCa(ctx: CoreContext): CaInfo {
  return caInfo(ctx, activeCaRecord(ctx.vault.read()));
}

/** What a machine trusts for a CA: its root (two tiers) or the CA itself (one tier). */
export interface TrustAnchor {
  name: string;
  fingerprint: string;
  pem: string;
  /** The certificate's file in the vault. */
  file: string;
  /** Set for a two-tier root. */
  rootId?: string;
}

export function trustAnchorOf(ctx: CoreContext, inv: Inventory, rec: CaRecord): TrustAnchor {
  const root = rootOf(inv, rec);
  const rel = root ? rootCertPath(root.id) : caCertPath(rec.id);
  return { name: root?.name ?? rec.name, fingerprint: root?.fingerprint ?? rec.fingerprint, pem: ctx.vault.readText(rel), file: ctx.vault.path(rel), ...(root ? { rootId: root.id } : {}) };
}

/** The certificate trust stores and `ca export` get for the active CA: never an intermediate. */
export function activeTrustAnchor(ctx: CoreContext): TrustAnchor {
  const inv = ctx.vault.read();
  return trustAnchorOf(ctx, inv, activeCaRecord(inv));
}

/**
 * Every certificate a node should trust now (the active CA's first, then any still in overlap):
 * for two-tier CAs their root, once however many intermediates it signed.
 */
export function trustedCaPems(ctx: CoreContext, inv: Inventory): string[] {
  const anchors = inv.cas
    .filter((c) => c.status !== 'retired')
    .sort((a, b) => (a.status === 'active' ? -1 : b.status === 'active' ? 1 : 0))
    .map((c) => trustAnchorOf(ctx, inv, c));
  return [...new Map(anchors.map((a) => [a.fingerprint, a.pem])).values()];
}

/** What the user chose for a new CA's passphrase: typed in the app, or nothing (decided here). */
export interface NewCaPassphraseChoice {
  /** The user's own passphrase, typed in the desktop app (at least 12 characters). */
  typed?: string;
}

/**
 * The passphrase for a new CA: the user's own (a passphrase file, or typed) or a strong random one
 * that goes into the keychain. With no keychain reachable and nothing given, a terminal asks; keychain
 * trouble surfaces here, before anything is written.
 */
export async function newCaPassphrase(ctx: CoreContext, choice: NewCaPassphraseChoice = {}): Promise<{ passphrase: string; passphraseIn: CaRecord['passphraseIn'] }> {
  if (ctx.passphraseFile) return { passphrase: checkChosenPassphrase(readPassphraseFile(ctx.passphraseFile)), passphraseIn: 'file' };
  if (choice.typed !== undefined) return { passphrase: checkChosenPassphrase(choice.typed), passphraseIn: 'typed' };
  const keychain = await describeKeychain(ctx.keychain);
  if (keychain.reachable) return { passphrase: generatePassphrase(), passphraseIn: 'keychain' };
  const typed = ctx.askPassphrase ? await ctx.askPassphrase({ caName: '', purpose: 'create', attempt: 1 }) : null;
  if (typed !== null) return { passphrase: checkChosenPassphrase(typed), passphraseIn: 'typed' };
  throw new UserError('keychain-unavailable', `${keychain.detail}: choose your own passphrase instead`, { cli: 'run on a terminal to type it, or pass --passphrase-file FILE', app: 'type it on the first screen' });
}

export interface NewCaInput {
  name: string;
  certPem: string;
  keyDer: Buffer;
  keyType: KeyType;
  imported: boolean;
}

/** A CA ready to be written: its record, its encrypted key, and where its passphrase went. */
export interface PreparedCa {
  record: CaRecord;
  certPem: string;
  encryptedKey: string;
  /** Removes the passphrase from the keychain when the vault did not take the CA. */
  discard(): Promise<void>;
}

/**
 * Encrypts a new CA's key under a new passphrase (kept in the keychain or the user's file) and
 * builds its record. The caller writes it in a vault transaction, or calls discard().
 */
export async function prepareCa(ctx: CoreContext, input: NewCaInput, checkVault: () => void = () => {}, choice: NewCaPassphraseChoice = {}): Promise<PreparedCa> {
  const cert = new X509Certificate(input.certPem);
  const fingerprint = fingerprintSha256(cert.raw);
  const id = fingerprint.slice(0, 16);
  const { passphrase, passphraseIn } = await newCaPassphrase(ctx, choice);
  const encryptedKey = encryptPkcs8Strong(input.keyDer, passphrase, caKeyIterations(passphraseOrigin(passphraseIn)));
  checkVault();
  const account = keychainAccount(fingerprint);
  if (passphraseIn === 'keychain') await ctx.keychain.set(account, passphrase);
  // The user's typed passphrase opens this CA for the rest of the session, and only in memory.
  if (passphraseIn === 'typed') ctx.session.remember(fingerprint, passphrase);
  const now = ctx.now().toISOString();
  const record: CaRecord = {
    id,
    name: input.name,
    fingerprint,
    keyType: input.keyType,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    createdAt: now,
    status: 'active',
    passphraseIn,
    imported: input.imported,
    kekSalt: newKekSalt(),
    kek: passphraseOrigin(passphraseIn) === 'generated' ? 'hkdf-sha256' : 'scrypt',
  };
  return {
    record,
    certPem: input.certPem,
    encryptedKey,
    discard: async () => {
      if (passphraseIn === 'keychain') await ctx.keychain.delete(account).catch(() => false);
      if (passphraseIn === 'typed') ctx.session.forget(fingerprint);
    },
  };
}

async function storeCa(ctx: CoreContext, input: NewCaInput, choice: NewCaPassphraseChoice = {}): Promise<CaInfo> {
  const prepared = await prepareCa(ctx, input, () => {
    if (ctx.vault.read().cas.some((c) => c.status === 'active')) {
      throw new UserError('conflict', 'this vault already has a CA; use another --home, or rotate the CA', 'this vault already has a CA; rotate it instead (CA rotation)');
    }
  }, choice);
  const { record } = prepared;
  try {
    await ctx.vault.update((inv, tx) => {
      if (inv.cas.some((c) => c.status === 'active')) throw new UserError('conflict', 'this vault already has a CA');
      tx.write(caCertPath(record.id), prepared.certPem, 0o644);
      tx.write(caKeyPath(record.id), prepared.encryptedKey, 0o600);
      inv.cas.push(record);
    });
  } catch (err) {
    // The vault did not take the CA: do not leave an orphan secret behind in the keychain.
    await prepared.discard();
    throw err;
  }
  audit(ctx, { action: input.imported ? 'ca.import' : 'ca.create', fingerprint: record.fingerprint, detail: `${record.name} (${record.keyType}), passphrase ${record.passphraseIn === "typed" ? "typed by the user, kept nowhere" : `in the ${record.passphraseIn}`}` });
  return caInfo(ctx, record);
}

/** What a new root may sign for (`--permit-dns`, `--permit-ip`); absent: any name. */
export interface PermittedNames {
  dns?: string[];
  ips?: string[];
}

export async function initCa(ctx: CoreContext, opts: { name: string; keyType?: KeyType; days?: number; permit?: PermittedNames; passphrase?: NewCaPassphraseChoice; subject?: CaSubjectInput }): Promise<CaInfo> {
  if (ctx.vault.exists() && ctx.vault.read().cas.some((c) => c.status === 'active')) {
    throw new UserError('conflict', `the vault in ${ctx.vault.home} already has a CA; use another --home, or rotate the CA`, `the vault in ${ctx.vault.home} already has a CA; rotate it instead (CA rotation)`);
  }
  const keyType = opts.keyType ?? DEFAULT_KEY_TYPE;
  const subject = checkCaSubject(opts.subject ?? {});
  const nameConstraints = opts.permit ? constraintsFor(parsePermitted(opts.permit)) : undefined;
  const ca = await createRootCa({ name: opts.name, keyType, days: opts.days, now: ctx.now(), nameConstraints, subject });
  const info = await storeCa(ctx, { name: opts.name.trim(), certPem: ca.certPem, keyDer: await exportPkcs8Der(ca.key.privateKey), keyType, imported: false }, opts.passphrase);
  return { ...info, warnings: constraintWarnings(info.nameConstraints, ctx.vault.read().nodes) };
}

/** Imports an existing CA: its certificate and its private key (encrypted or not), which must match. */
export async function importCa(ctx: CoreContext, opts: { certPem: string; keyPem: string; keyPassphrase?: string; passphrase?: NewCaPassphraseChoice }): Promise<CaInfo> {
  const certBlocks = pemBlocks(opts.certPem).filter((b) => b.label === 'CERTIFICATE');
  if (certBlocks.length === 0) throw invalid('the CA certificate file holds no PEM CERTIFICATE');
  const certPem = toPem('CERTIFICATE', certBlocks[0]!.der);
  const cert = assertIsCa(certPem);
  const key = readPrivateKey(opts.keyPem, opts.keyPassphrase);
  if (!spkiOf(key).equals(spkiOf(cert.publicKey))) throw invalid('the private key does not belong to that CA certificate');
  const keyType = keyTypeOf(key);
  const name = cert.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? 'Imported CA';
  return storeCa(ctx, { name, certPem, keyDer: key.export({ type: 'pkcs8', format: 'der' }), keyType, imported: true }, opts.passphrase);
}

export interface UnlockedCa extends CaMaterial {
  record: CaRecord;
  /** Seals and opens node keys for this CA. */
  kek: Buffer;
}

export function caPassphrase(ctx: CoreContext, rec: CaRecord): Promise<string> {
  const src = { file: ctx.passphraseFile, keychain: ctx.keychain, session: ctx.session, ask: ctx.askPassphrase };
  return lookupPassphrase(src, rec, (pass) => opensCaKey(ctx, rec, pass));
}

function opensCaKey(ctx: CoreContext, rec: CaRecord, pass: string): boolean {
  try {
    readPrivateKey(ctx.vault.readText(caKeyPath(rec.id)), pass);
    return true;
  } catch {
    return false;
  }
}

/**
 * The desktop app's Unlock: a typed passphrase is kept for this session for every CA in use whose
 * key it opens. Refused, and nothing kept, when it opens none.
 */
export function unlockWithTypedPassphrase(ctx: CoreContext, passphrase: string): { unlocked: string[] } {
  const cas = ctx.vault.read().cas.filter((c) => c.status !== 'retired' && c.passphraseIn !== 'keychain');
  if (cas.length === 0) throw invalid('no CA in this vault needs a typed passphrase');
  const opened = cas.filter((c) => opensCaKey(ctx, c, passphrase));
  if (opened.length === 0) throw new UserError('bad-passphrase', 'that passphrase does not open the CA key');
  for (const c of opened) ctx.session.remember(c.fingerprint, passphrase);
  audit(ctx, { action: 'ca.unlock', detail: opened.map((c) => c.name).join(', ') });
  return { unlocked: opened.map((c) => c.name) };
}

/** Whether signing with this CA would have to ask for a passphrase first (a typed one not given yet). */
export function isLocked(ctx: CoreContext, rec: CaRecord): boolean {
  return rec.passphraseIn !== 'keychain' && !ctx.passphraseFile && !ctx.session.has(rec.fingerprint);
}

// A keychain round trip plus scrypt costs ~100 ms or more: derive each CA's node-key key once per
// context (one CLI run, one GUI request), not once per node of a 50-node push.
const kekCache = new WeakMap<CoreContext, Map<string, Promise<Buffer>>>();

/** The key that seals and opens node keys issued under this CA. */
export function nodeKeyKek(ctx: CoreContext, rec: CaRecord, passphrase?: string): Promise<Buffer> {
  let perCa = kekCache.get(ctx);
  if (!perCa) kekCache.set(ctx, (perCa = new Map()));
  let kek = perCa.get(rec.id);
  if (!kek) {
    kek = (async () => deriveNodeKeyKekAsync(passphrase ?? (await caPassphrase(ctx, rec)), rec))();
    perCa.set(rec.id, kek);
    kek.catch(() => perCa!.delete(rec.id));
  }
  return kek;
}

/**
 * Whether a CA's passphrase was generated by the app (256 random bits): only those go into the
 * keychain (`newCaPassphrase`); a file's or a typed one is a person's choice.
 */
function passphraseOrigin(passphraseIn: CaRecord['passphraseIn']): 'generated' | 'chosen' {
  return passphraseIn === 'keychain' ? 'generated' : 'chosen';
}

/**
 * A CA key whose PBKDF2 count is not the one its passphrase calls for is re-encrypted at its first
 * unlock, in place and atomically (temp, fsync, rename): an older vault's key under a chosen
 * passphrase (Node's 2,048) goes up to 600,000; one under a generated passphrase at 600,000 comes
 * down, since that count bought nothing (see GENERATED_PASSPHRASE_ITERATIONS). Reading always
 * honours the file's own parameters. Not under the vault lock, since unlocking happens inside
 * transactions: it is the same key under the same passphrase, so two writers racing leave one
 * complete, equally valid file.
 */
function strengthenCaKey(ctx: CoreContext, rec: CaRecord, keyPem: string, der: Buffer, passphrase: string): void {
  const iterations = pkcs8Iterations(keyPem);
  const wanted = caKeyIterations(passphraseOrigin(rec.passphraseIn));
  if (iterations === null || iterations === wanted) return;
  try {
    writeFileAtomic(ctx.vault.path(caKeyPath(rec.id)), encryptPkcs8Strong(der, passphrase, wanted), 0o600);
  } catch {
    // A read-only vault still signs; the old file stays whole and the next unlock tries again.
  }
}

/** Decrypts a CA's key for signing. Wrong or missing passphrases fail here, before any change. */
export async function unlockCa(ctx: CoreContext, rec: CaRecord): Promise<UnlockedCa> {
  const passphrase = await caPassphrase(ctx, rec);
  const keyPem = ctx.vault.readText(caKeyPath(rec.id));
  // The node-key key's scrypt runs on libuv's thread pool while this thread runs the CA key's
  // PBKDF2: the two KDFs overlap instead of adding up (each ~0.1-0.4 s).
  const kek = nodeKeyKek(ctx, rec, passphrase);
  let keyObject: KeyObject;
  try {
    keyObject = readPrivateKey(keyPem, passphrase);
  } catch (err) {
    // A passphrase that does not open the CA key must not leave a node-key key derived from it.
    if (kekCache.get(ctx)?.get(rec.id) === kek) kekCache.get(ctx)!.delete(rec.id);
    kek.catch(() => undefined);
    throw err;
  }
  strengthenCaKey(ctx, rec, keyPem, keyObject.export({ type: 'pkcs8', format: 'der' }), passphrase);
  const { privateKey, type } = await toSigningKey(keyObject);
  const certPem = ctx.vault.readText(caCertPath(rec.id));
  return { record: rec, certPem, cert: parseCaCertificate(certPem), signingKey: privateKey, keyType: type, kek: await kek };
}

/** The certificate to trust for the active CA (a two-tier CA's root, never its intermediate). */
export function exportCaCert(ctx: CoreContext): string {
  return activeTrustAnchor(ctx).pem;
}

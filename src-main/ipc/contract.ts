/**
 * The one IPC contract between the main process and the renderer. Main (handlers, schemas), the
 * preload (which exposes exactly these functions) and the renderer (which calls them) all import
 * this file, so a wrong channel name or payload is a compile error on every side.
 *
 * This file is shared with the renderer's type check: it must import nothing. Main-side files check
 * at compile time that the types copied here (key types, error codes) still match the core's.
 *
 * Channels come in sections, one interface per screen (`CaInvoke`, `NodesInvoke`...), and `Invoke` is
 * their intersection. Adding a channel = a line in its section, its name in that section's list in
 * INVOKE_SECTIONS, a schema in schemas.ts and the handler in the section's file in handlers/ (typed
 * `HandlerSection<CaInvoke>`, so it names no channel itself). A new screen = a new section (and events
 * in `Events` if it streams). The preload and the typed wrappers pick new channels up by themselves.
 */

// ---------------------------------------------------------------------------------------------------
// Shared value types

export type KeyTypeId = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

/** Same codes as the core's UserError, so the renderer can react to a kind of failure, not a string. */
export type IpcErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'no-ca'
  | 'bad-passphrase'
  | 'no-passphrase'
  | 'keychain-unavailable'
  | 'vault-locked'
  | 'vault-corrupt'
  | 'io'
  | 'tool-failed'
  | 'cancelled'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'auth-refused'
  | 'verify-failed'
  | 'internal';

export interface IpcError {
  code: IpcErrorCode;
  /** One plain sentence for the user. */
  message: string;
  /** The request field at fault, when the input was rejected by its schema ("nodes.0.ips.1"). */
  field?: string;
}

/** Every call answers with this: a handler never throws across the boundary. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/**
 * How a Result crosses to the page: as is, or, for the channels in JSON_TEXT_CHANNELS, with its
 * value as JSON text. Structured clone plus the context bridge's copy cost ~0.7 s for 10,000 node
 * rows; one string costs a tenth of that (the page's `call` parses it).
 */
export type WireResult<T> = Result<T> | { ok: true; json: string };

/**
 * none: never issued; renew: inside the renewal window; expired / revoked: not usable; untrusted:
 * issued by a CA that has since been retired.
 */
export type CertStateId = 'none' | 'ok' | 'renew' | 'expired' | 'revoked' | 'untrusted';

export type BundleFormatId = 'dir' | 'tar' | 'p12';

/** Fixed https links the app may open in the browser; the renderer names one, never a URL. */
export type LinkId = 'rfc5280-san' | 'openssl-x509' | 'electron-security';

export interface ProfileInfo {
  id: string;
  title: string;
  server: boolean;
  client: boolean;
  loopback: boolean;
  /** Its settings (what "Add from list" accepts as key=value on a line). */
  options: ProfileOptionInfo[];
}

export interface BundleFormatInfo {
  id: BundleFormatId;
  label: string;
  available: boolean;
  /** Why it is not available yet. */
  note?: string;
}

export interface AppInfo {
  version: string;
  electron: string;
  platform: string;
  vaultHome: string;
  keyTypes: KeyTypeId[];
  defaultKeyType: KeyTypeId;
  caDefaultDays: number;
  caMaxDays: number;
  leafDefaultDays: number;
  leafMaxDays: number;
  profiles: ProfileInfo[];
  defaultProfile: string;
  bundleFormats: BundleFormatInfo[];
  links: { id: LinkId; title: string }[];
  /** Size limits the renderer enforces before sending (main enforces them again). */
  limits: { csrBytes: number; bulkLines: number };
  /** A `restore --force` that stopped between its two renames: no vault here until it is finished or rolled back. */
  interruptedRestore: { aside: string; staged: string } | null;
}

export interface CaView {
  id: string;
  name: string;
  subject: string;
  issuer: string;
  serial: string;
  keyType: KeyTypeId;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  state: CertStateId;
  sha256: string;
  sha1: string;
  imported: boolean;
  /** typed: the user's own passphrase, kept nowhere (asked again after every start). */
  passphraseIn: 'keychain' | 'file' | 'typed';
  /** Human sentence: where the CA passphrase is kept. */
  passphraseLocation: string;
  /** Signing needs the user's typed passphrase first (Unlock). */
  locked: boolean;
  vaultHome: string;
  /** The names this CA may sign (its nameConstraints), or null: any name. */
  nameConstraints: NameConstraintsView | null;
  /** Right after create: names the constraints exclude (a profile's own, existing nodes'). */
  warnings: string[];
  /** Two tiers: the offline root that signed this intermediate; null when this CA is its own root. */
  root: CaRootView | null;
}

/** A two-tier CA's root, as the CA screen tells it (never its key or passphrase). */
export interface CaRootView {
  name: string;
  sha256: string;
  notAfter: string;
  /** False once `ca root remove` took the key out of the vault. */
  keyInVault: boolean;
  /** Human sentence: where the root key's passphrase is kept. */
  passphraseLocation: string;
  /** The last export of the root key: where and when. */
  exported: { path: string; at: string } | null;
}

/** Each entry reads like "DNS cluster.example" or "IP 10.0.0.0/8". */
export interface NameConstraintsView {
  permitted: string[];
  excluded: string[];
  /** Name forms an imported CA constrains that Cluster Trust does not issue (e-mail, URI, ...). */
  other: string[];
}

/** `--permit-dns` / `--permit-ip` of the CLI; both absent: no constraints (rotation: keep the old CA's). */
export interface PermitRequest {
  permitDns?: string[];
  permitIps?: string[];
}

/** The OS keychain as this app sees it: which binding, and whether it answers. */
export interface KeychainView {
  backend: 'keytar' | '@napi-rs/keyring' | null;
  reachable: boolean;
  /** One sentence: what is in use, or why nothing is. */
  detail: string;
}

export interface NodeRow {
  name: string;
  profile: string;
  profileTitle: string;
  dns: string[];
  ips: string[];
  server: boolean;
  client: boolean;
  keyType: KeyTypeId | null;
  state: CertStateId;
  daysLeft: number | null;
  notAfter: string | null;
  /** When its newest certificate was issued. */
  lastIssued: string | null;
  serial: string | null;
  /** Required profile settings left unset: the node cannot get its config files until they are set. */
  missing: string[];
  /** Its IPs that other nodes hold too, with their names: a warning (an HA pair's virtual IP), not an error. */
  sharedIps: Array<{ ip: string; nodes: string[] }>;
}

/** What a remove did, and how to undo it while main keeps the removed records. */
export interface RemovedNodesView {
  removed: string[];
  /** Nodes whose live certificate was revoked: Undo brings the node back, not the certificate. */
  revoked: string[];
  undoToken: string;
  undoSeconds: number;
}

/** A file dropped on the window, as main read it (from its bytes, never its name). */
export type DroppedFileView =
  | { kind: 'csr'; pem: string }
  | { kind: 'ca-cert'; subject: string; sha256: string; notAfter: string; ours: boolean }
  | { kind: 'node-cert'; subject: string; serial: string; notAfter: string; sha256: string; node: string | null }
  | { kind: 'pkcs12' };

export interface CertSummary {
  serial: string;
  node: string;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  status: 'active' | 'superseded' | 'revoked';
  state: CertStateId;
  daysLeft: number;
  keyType: KeyTypeId;
  /** False when signed from a CSR: the node kept its key. */
  hasKey: boolean;
  dns: string[];
  ips: string[];
}

export interface CertDetail extends CertSummary {
  subject: string;
  issuer: string;
  extendedKeyUsage: string[];
  sha1: string;
}

/** Where and how the node's bundle is pushed. */
export interface NodePushSettings {
  /** user@host[:port], or null: the node is not pushed over SSH. */
  ssh: string | null;
  /** The private key file on this machine, or null: ssh-agent, then ~/.ssh/id_*. */
  sshKey: string | null;
  /** The folder on the node, or null: the profile's. */
  dest: string | null;
  defaultDest: string;
  restart: string | null;
  /** The port checked live after a push, or null: the profile's (defaultVerifyPort). */
  verifyPort: number | null;
  defaultVerifyPort: number | null;
  /** Owner of the pushed files on the node, or null: the SSH user. */
  owner: string | null;
  /** Every push also trusts the CA system-wide on the node. */
  trustCa: boolean;
  /** The node makes its own key over SSH at issue/renew; the vault never holds it. */
  keyOnNode: boolean;
}

export interface NodeDetail {
  node: NodeRow;
  push: NodePushSettings;
  current: CertDetail | null;
  /** Every certificate ever issued to this node, newest first. */
  history: CertSummary[];
}

export interface NodeDraft {
  name: string;
  profile?: string;
  dns: string[];
  ips: string[];
  server?: boolean;
  client?: boolean;
  keyType?: KeyTypeId;
  /** Profile settings (`--set KEY=VALUE`); '' clears one. Merged into the node's current ones. */
  options?: Record<string, string>;
  // Push settings: left out = unchanged; '' (or null for the port) clears one.
  /** user@host[:port]; '' removes the SSH target. */
  ssh?: string;
  /** A key file chosen with pickSshKey (its token); '' goes back to ssh-agent and ~/.ssh/id_*. */
  sshKeyToken?: string;
  dest?: string;
  restart?: string;
  verifyPort?: number | null;
  owner?: string;
  trustCa?: boolean;
  /** Key made on the node (needs an SSH target). */
  keyOnNode?: boolean;
}

export type PickedSshKey = { picked: false } | { picked: true; token: string; path: string; encrypted: boolean };

export interface IssuedCert {
  node: string;
  serial: string;
  fingerprint: string;
  notAfter: string;
  dns: string[];
  ips: string[];
}

export interface BundleFileInfo {
  path: string;
  description: string;
  /** Octal text, e.g. "600". */
  mode: string;
}

export type SaveOutcome<T = object> = { saved: false } | ({ saved: true; path: string } & T);

export type PickedFile = { picked: false } | { picked: true; token: string; fileName: string; summary: string };

export type PickedCsr = { picked: false } | { picked: true; fileName: string; pem: string };

export interface CsrPreview {
  commonName: string;
  dns: string[];
  ips: string[];
  keyType: KeyTypeId;
}

export interface SignedCsr {
  issued: IssuedCert;
  certPem: string;
  /** No node was picked: the certificate belongs to no node and replaces nothing. */
  standalone: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Trust store and profile files

export type StoreKindId = 'system' | 'nss' | 'java';
export type TrustAction = 'install' | 'uninstall';

/** One trust store on this machine: exists here, holds our CA (matched by SHA-256), what ran. */
export interface TrustStoreRow {
  store: string;
  kind: StoreKindId;
  title: string;
  /** Whether the software reading this store refuses names outside a root's nameConstraints, and who that is. */
  enforcesNameConstraints: boolean;
  nameConstraintsNote: string;
  present: boolean;
  installed: boolean;
  changed: boolean;
  /** The exact commands, one shell-quoted line each (probes for status, the change otherwise). */
  commands: string[];
  message: string;
  locations: string[];
  missingTool?: { tool: string; package: string };
  elevated?: boolean;
  dryRun?: boolean;
  error?: { code: IpcErrorCode; message: string };
  /** NSS: each browser database found (or created on install) and whether it trusts the CA. */
  databases?: TrustDatabaseRow[];
}

export interface TrustDatabaseRow {
  /** "Chromium", "Firefox ESR profile abcd.default-esr" */
  browser: string;
  path: string;
  trusted: boolean;
  /** A browser installed but never run: an install creates this database. */
  toCreate?: boolean;
}

export interface TrustReport {
  /** Always the vault's active CA; `file` is its ca.crt, which the commands name. */
  ca: { name: string; subject: string; sha256: string; file: string };
  action: 'status' | TrustAction;
  dryRun: boolean;
  stores: TrustStoreRow[];
}

export interface ProfileOptionInfo {
  key: string;
  help: string;
  default: string | null;
  /** Asked when a node is added; a node without it is flagged incomplete. */
  required: boolean;
}

/** A file a node's profile adds to its bundle; `content` is null for secrets (never sent). */
export interface ProfileFileView {
  path: string;
  installPath: string;
  description: string;
  mode: string;
  secret: boolean;
  content: string | null;
}

/** Maelstrom's shared key pairs (the guide's a/b/c rotation): every Maelstrom node carries all of them. */
export interface MaelstromKeysView {
  /** null: no pairs yet (the first rotation creates a and b). */
  generation: number | null;
  pairs: Array<{ file: string; role: 'active' | 'next' | 'previous'; serial: string; notAfter: string; sha256: string }>;
  /** Nodes with the Maelstrom profile: after a rotation they all need their new bundles, together. */
  nodes: string[];
}

export interface NodeFilesView {
  node: string;
  profile: string;
  profileTitle: string;
  installDir: string;
  verifyPort: number | null;
  files: ProfileFileView[];
  /** Why the profile cannot make its files yet (e.g. a compute node with no orchestrator). */
  filesError: string | null;
  /** The profile's settings with this node's current values ('' = default). */
  options: Array<ProfileOptionInfo & { value: string }>;
}

// ---------------------------------------------------------------------------------------------------
// Lifecycle (expiry dashboard, renewal, revocation, history, backup)

export type RevocationReasonId = 'unspecified' | 'keyCompromise' | 'caCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';

export interface Preferences {
  notifyExpiry: boolean;
  expiryWarnDays: number;
}

export interface LifecycleRow {
  kind: 'node' | 'ca' | 'crl';
  name: string;
  profile: string;
  serial: string | null;
  notAfter: string | null;
  daysLeft: number | null;
  /** Whole validity in days (for the days-left bar); null when there is no certificate. */
  lifetimeDays: number | null;
  state: CertStateId;
}

export interface LifecycleView {
  /** Nodes per state (the CA and CRL rows are not counted). */
  counts: Record<CertStateId, number>;
  /** Nodes in a state that needs someone to act. */
  due: number;
  rows: LifecycleRow[];
  lastBackupAt: string | null;
  /** No backup since the active CA was made. */
  backupReminder: boolean;
}

export interface RenewedCertView {
  node: string;
  previousSerial: string;
  serial: string;
  notAfter: string;
  keptKey: boolean;
}

export interface AuditRow {
  time: string;
  action: string;
  outcome: 'ok' | 'failed' | 'refused';
  node: string | null;
  serial: string | null;
  detail: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Push (bundles to nodes over SSH)

export type PushPhaseId = 'queued' | 'connecting' | 'comparing' | 'uploading' | 'installing' | 'trusting' | 'restarting' | 'verifying' | 'done' | 'failed' | 'cancelled';
export type PushStatusId = 'updated' | 'unchanged' | 'would-update' | 'failed' | 'cancelled';

export interface PushTarget {
  name: string;
  /** user@host[:port], or null when the node has no SSH target (it cannot be pushed). */
  ssh: string | null;
  state: CertStateId;
}

export interface PushNodeResult {
  node: string;
  status: PushStatusId;
  message: string;
  /** Files that differed from the node's current bundle. */
  changes: number;
  /** The new bundle is in place on the node (installed now or already there), whatever the live check says. */
  inPlace: boolean;
  verify: { ok: boolean; message: string } | null;
  /** The push stopped at an unknown host key: what to show the user before trusting it. */
  unknownHostKey: { host: string; port: number; keyType: string; fingerprint: string } | null;
  /** Why it failed or was cancelled, null otherwise: classify by this, never by the message's words. */
  code: IpcErrorCode | null;
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------------
// Rotation (the CA rotation wizard) and restore. Its state is derived from the vault on every call.

export type CaStatusId = 'active' | 'previous' | 'retired';

export interface RotationCa {
  id: string;
  name: string;
  status: CaStatusId;
  keyType: KeyTypeId;
  /** SHA-256 of the certificate, lowercase hex. */
  sha256: string;
  notBefore: string;
  notAfter: string;
  rotatedAt: string | null;
  retiredAt: string | null;
}

export interface RotationNode {
  name: string;
  /** A certificate signed from a CSR with no node record: renewing means signing a new CSR. */
  fromCsr: boolean;
  /** user@host[:port], or null: the wizard cannot push it (export its bundle instead). */
  ssh: string | null;
  serial: string | null;
  state: CertStateId;
  /** The CA that issued the node's current certificate (null: none yet). */
  ca: string | null;
  caStatus: CaStatusId | null;
  /** Its current certificate comes from the active CA. */
  renewed: boolean;
  /** It holds a live certificate from the previous CA: retiring cuts it off. */
  blocksRetire: boolean;
  /** The newest push of this node since its current certificate was issued (from the audit log). */
  lastPush: { time: string; outcome: 'ok' | 'failed' | 'refused'; detail: string } | null;
  /** Renewed, with an SSH target, not pushed successfully since: what the wizard's Push step pushes. */
  pushPending: boolean;
  /** Renewed but its new bundle not delivered by this app (no SSH target, or no successful push since). */
  undelivered: boolean;
}

/** Where a rotation stands (main's rotation model): none, then renew, push, retire. */
export type RotationStepId = 'none' | 'renew' | 'push' | 'retire';

export interface RotationView {
  /** idle: no rotation under way; overlap: the previous CA is still trusted next to the active one. */
  phase: 'idle' | 'overlap';
  /** The wizard's current step, from the same model `ca status` and `ca retire-old` use. */
  step: RotationStepId;
  active: RotationCa;
  previous: RotationCa | null;
  /** The CA retired most recently, if any. */
  lastRetired: RotationCa | null;
  nodes: RotationNode[];
  /** Nodes (not CSR-only certificates) whose certificate comes from an older CA: what "Renew all" renews. */
  toRenew: number;
  /** Nodes that block retiring the previous CA. */
  blocking: string[];
  /** Names of the nodes with `pushPending`. */
  pushPending: string[];
  /** Names of the nodes with `undelivered`. */
  undelivered: string[];
  lastBackupAt: string | null;
  /** The name a rotation gives the new CA (a two-tier CA's new root) unless the user types another. */
  nextCaName: string;
  /** Two tiers: a rotation makes a new root and its intermediate; the name is the root's. */
  twoTier: boolean;
}

export interface RetiredCaView {
  retired: RotationCa;
  /** Nodes cut off by a forced retirement. */
  forcedPast: string[];
  /** Whether bundles' ca.crt lost a certificate (false: a retired intermediate whose root still anchors the active one). */
  caCrtChanged: boolean;
  /** This machine's trust stores that held the retired CA, and what removing it did. */
  trustStores: Array<{ store: string; removed: boolean; message: string }>;
}

export type RestoreOutcome =
  | { restored: false }
  | {
      restored: true;
      path: string;
      createdAt: string;
      checkedSidecar: boolean;
      /** True: its code matched under the CA passphrase; false: checksum only, accepted in main's dialog. */
      authenticated: boolean;
      cas: number;
      nodes: number;
      certs: number;
      /** Where the vault that was replaced now is (force only). */
      previousVaultMovedTo: string | null;
      /** Whether this machine can open the restored CA keys, and what to do when it cannot. */
      passphrase: { ok: boolean; message: string };
    };

// ---------------------------------------------------------------------------------------------------
// Request/response channels, one interface per section (screen): name -> { request, response }.
// `void` = the call takes no argument. Each handler file in ipc/handlers/ implements one section.

/** App: facts for every screen, clipboard, fixed links. */
export interface AppInvoke {
  getAppInfo: { request: void; response: AppInfo };
  copyText: { request: { text: string }; response: null };
  openLink: { request: { id: LinkId }; response: null };
}

/** CA screen: the active CA, its keychain passphrase, import and export. */
export interface CaInvoke {
  getCa: { request: void; response: CaView | null };
  /** `passphrase`: the user's own (where no keychain answers); otherwise a random one goes into the keychain. */
  /** `org`, `orgUnit`: the subject's O (default "Cluster Trust") and OU (none unless given). */
  /** `twoTier`: an offline root and an intermediate that signs the nodes (`ca init --intermediate`). */
  createCa: { request: { name: string; keyType: KeyTypeId; days: number; passphrase?: string; org?: string; orgUnit?: string; twoTier?: boolean } & PermitRequest; response: CaView };
  getKeychain: { request: void; response: KeychainView };
  /** Keeps a typed CA passphrase in main's memory for this session once it opens a CA key. */
  unlockCa: { request: { passphrase: string }; response: { unlocked: string[] } };
  /** Opens a native file dialog in main; the file's content stays in main behind the token. */
  pickCaFile: { request: { kind: 'cert' | 'key' }; response: PickedFile };
  importCa: { request: { certToken: string; keyToken: string; keyPassphrase?: string; passphrase?: string }; response: CaView };
  exportCaCert: { request: void; response: SaveOutcome };
  /** Writes the keychain's CA passphrases to a file chosen in a native dialog (never to the window). */
  exportCaPassphrases: { request: void; response: SaveOutcome<{ cas: string[]; missing: string[] }> };
  /** Loads such a file (native dialog) into this machine's keychain, each passphrase checked first. */
  importCaPassphrases: { request: void; response: { picked: false } | { picked: true; stored: string[]; unknown: number; passphrase: { ok: boolean; message: string } } };
}

/** Nodes screen: the inventory. */
export interface NodesInvoke {
  listNodes: { request: void; response: NodeRow[] };
  /** Which version of the list listNodes gives now (asked just before it): a focus reloads only a changed list. */
  nodesRevision: { request: void; response: string };
  getNode: { request: { name: string }; response: NodeDetail };
  addNodes: { request: { nodes: NodeDraft[] }; response: NodeRow[] };
  editNode: { request: NodeDraft; response: NodeRow };
  /** cert: what becomes of a live certificate (revoked, or kept valid); refused without it when there is one. */
  removeNode: { request: { name: string; cert?: 'revoke' | 'keep' }; response: RemovedNodesView };
  /** The same for a selection: one transaction, all or none. */
  removeNodes: { request: { names: string[]; cert?: 'revoke' | 'keep' }; response: RemovedNodesView };
  /** Puts back what a remove took, while main still keeps it (`undoSeconds` after the remove). */
  undoRemove: { request: { token: string }; response: { restored: string[]; stillRevoked: string[] } };
  /** SSH user, key (a pickSshKey token; '' clears) and destination folder ('' = profile default) for many nodes. */
  setSshSettings: { request: { names: string[]; user?: string; sshKeyToken?: string; dest?: string }; response: NodeRow[] };
  /** A native open dialog for the node's SSH private key; the path stays in main behind the token. */
  pickSshKey: { request: void; response: PickedSshKey };
}

/** Certificates: issue, bundles, CSR signing. */
export interface CertsInvoke {
  /** Progress arrives on the `issueProgress` event, tagged with the caller's jobId. */
  issueCerts: { request: { names: string[]; days?: number; jobId: string }; response: IssuedCert[] };
  /** Bundles of a selection into one folder chosen in a native dialog, each node its own subfolder (or archive). */
  exportBundles: { request: { names: string[]; format: 'dir' | 'tar' }; response: SaveOutcome<{ exported: Array<{ node: string; path: string }> }> };
  /** PKCS#12 needs the password the user typed for the file (sent to main, never sent back). */
  exportBundle: { request: { name: string; format: BundleFormatId; p12Password?: string }; response: SaveOutcome<{ files: BundleFileInfo[] }> };
  /** What a dropped file is; main decides from its content (base64 of at most `limits.csrBytes` bytes). */
  classifyDrop: { request: { fileName: string; base64: string }; response: DroppedFileView };
  pickCsr: { request: void; response: PickedCsr };
  previewCsr: { request: { pem: string }; response: CsrPreview };
  /** name: the inventory node the certificate is for (it gets the node's names); without it the certificate stands alone. */
  signCsr: { request: { pem: string; name?: string; days?: number; server?: boolean; client?: boolean }; response: SignedCsr };
  listCsrCerts: { request: void; response: CertSummary[] };
  saveCertificate: { request: { serial: string }; response: SaveOutcome };
}

/** Trust store (this machine; always the vault's active CA). */
export interface TrustInvoke {
  getTrustStatus: { request: void; response: TrustReport };
  /** dryRun: true only builds the exact commands; false changes the stores (the OS asks for admin rights when needed). */
  changeTrust: { request: { action: TrustAction; stores?: StoreKindId[]; dryRun: boolean }; response: TrustReport };
}

/** Profile files (node detail) and settings (node form). */
export interface ProfilesInvoke {
  getNodeFiles: { request: { name: string }; response: NodeFilesView };
  getProfileOptions: { request: { profile: string }; response: ProfileOptionInfo[] };
  getMaelstromKeys: { request: void; response: MaelstromKeysView };
  /** a -> c, b -> a, a new b (the first call creates a and b). */
  rotateMaelstromKeys: { request: void; response: MaelstromKeysView };
}

/** Lifecycle: expiry, renewal, revocation, audit log, backup, preferences. */
export interface LifecycleInvoke {
  getLifecycle: { request: void; response: LifecycleView };
  /** Renews the named nodes (each must have a certificate); progress on `lifecycleProgress` with the caller's jobId. */
  renewNodes: { request: { names: string[]; jobId: string }; response: RenewedCertView[] };
  /** Renews every node in a due state; progress arrives on `lifecycleProgress` with the caller's jobId. */
  renewDue: { request: { jobId: string }; response: RenewedCertView[] };
  revokeCert: { request: { name: string; reason: RevocationReasonId }; response: { serial: string; reason: RevocationReasonId; crlNumber: number } };
  /** Newest first; `node` filters to one node. */
  getAuditLog: { request: { node?: string; limit: number }; response: AuditRow[] };
  /**
   * Makes main ready the Lifecycle view and the newest `historyLimit` log entries for the vault as it
   * is, and answers nothing (no rows cross while the page paints its first screen): the first visit
   * then costs what later ones do.
   */
  warmLifecycle: { request: { historyLimit: number }; response: null };
  /** The whole vault to a .tar.gz chosen in a native save dialog (checksum file beside it). */
  backupVault: { request: void; response: SaveOutcome<{ sha256: string; files: number }> };
  /** App preferences kept main-side (app-data folder), independent of the vault. */
  /** expiryWarnDays: fewer days left than this and a certificate is amber and due (1-3650). */
  getPreferences: { request: void; response: Preferences };
  setPreferences: { request: Partial<Preferences>; response: Preferences };
}

/** Push: bundles to nodes over SSH. */
export interface PushInvoke {
  listPushTargets: { request: void; response: PushTarget[] };
  /**
   * Progress arrives on `pushProgress` with the caller's jobId. trustHostKeys: host keys the page
   * asks to trust, each only for that node and that exact fingerprint; main accepts one only after
   * the user confirms it in a native dialog. A push (not a dry run) after a node's push settings
   * changed also waits for the user's OK in main's dialog; Cancel fails it with nothing sent.
   */
  pushNodes: {
    request: {
      jobId: string;
      names: string[];
      dryRun: boolean;
      verify: boolean;
      trustHostKeys?: Array<{ node: string; fingerprint: string }>;
      /** Nodes at once (default 8) and each node's time limit in seconds (default 60). */
      concurrency?: number;
      timeoutSeconds?: number;
    };
    response: PushNodeResult[];
  };
  cancelPush: { request: { jobId: string }; response: { cancelled: boolean } };
  /**
   * The answer to an `sshKeyPassphrase` event (null = the user declined). Sent to main, never sent
   * back; kept in the OS keychain only when `remember` and only once it has opened the key.
   */
  answerSshKeyPassphrase: { request: { jobId: string; keyFile: string; passphrase: string | null; remember: boolean }; response: { accepted: boolean } };
  /** Key files whose passphrase the OS keychain keeps (paths only). */
  listSavedSshKeys: { request: void; response: string[] };
  forgetSshKeyPassphrase: { request: { keyFile: string }; response: { forgotten: boolean } };
}

/** Rotation and restore. */
export interface RotationInvoke {
  getRotation: { request: void; response: RotationView };
  /** Makes a new active CA; the old one stays trusted (previous) until retireOldCa. */
  rotateCa: { request: { keyType: KeyTypeId; days: number; name?: string } & PermitRequest; response: RotationCa };
  /** Renews every node whose certificate comes from an older CA; progress on `lifecycleProgress`. */
  renewOldCa: { request: { jobId: string }; response: RenewedCertView[] };
  /** force needs confirmCutOff: the number of nodes the user agreed to cut off (checked again in main). */
  retireOldCa: { request: { force: boolean; confirmCutOff?: number }; response: RetiredCaView };
  /**
   * A native open dialog for the backup; without force a vault already there is refused. A backup
   * this machine cannot authenticate is restored only after the user accepts it in main's dialog.
   */
  restoreVault: { request: { force: boolean }; response: RestoreOutcome };
  /** Finishes an interrupted restore (the restored vault) or rolls it back (the vault from before). */
  resolveInterruptedRestore: {
    request: { action: 'finish' | 'roll-back' };
    response: { action: 'finish' | 'roll-back'; home: string; previousVaultMovedTo: string | null; cas: number; nodes: number };
  };
}

/** Every channel: the sections together (no channel may sit in two of them; checked below). */
export type Invoke = AppInvoke &
  CaInvoke &
  NodesInvoke &
  CertsInvoke &
  TrustInvoke &
  ProfilesInvoke &
  LifecycleInvoke &
  PushInvoke &
  RotationInvoke;

/** The sections by name (the handler files and INVOKE_SECTIONS use these names). */
export interface InvokeSections {
  app: AppInvoke;
  ca: CaInvoke;
  nodes: NodesInvoke;
  certs: CertsInvoke;
  trust: TrustInvoke;
  profiles: ProfilesInvoke;
  lifecycle: LifecycleInvoke;
  push: PushInvoke;
  rotation: RotationInvoke;
}

// ---------------------------------------------------------------------------------------------------
// One-way events, main -> renderer.

/** show-<section>: one per sidebar section (Ctrl/Cmd+1..7); shortcuts: the list of keyboard shortcuts. */
export type MenuCommand =
  | 'show-ca'
  | 'show-nodes'
  | 'show-csr'
  | 'show-truststore'
  | 'show-push'
  | 'show-lifecycle'
  | 'show-rotation'
  | 'add-node'
  | 'bulk-add'
  | 'sign-csr'
  | 'shortcuts'
  | 'help';

export interface Events {
  issueProgress: { jobId: string; done: number; total: number; node: string };
  lifecycleProgress: { jobId: string; done: number; total: number; node: string };
  pushProgress: { jobId: string; node: string; phase: PushPhaseId; message?: string; bytes?: { done: number; total: number }; attempt?: number; status?: PushStatusId };
  /** A push needs an encrypted SSH key's passphrase: answer with answerSshKeyPassphrase. attempt > 1: the last one was wrong. */
  sshKeyPassphrase: { jobId: string; keyFile: string; attempt: number };
  /** Something about a push that is not one node's result. */
  pushNotice: { jobId: string; message: string };
  menuCommand: { command: MenuCommand };
}

// ---------------------------------------------------------------------------------------------------
// Runtime lists (the preload builds the API from them) and the API's shape.

export type Channel = keyof Invoke;
export type InvokeSection = keyof InvokeSections;
export type EventName = keyof Events;
export type RequestOf<K extends Channel> = Invoke[K]['request'];
export type ResponseOf<K extends Channel> = Invoke[K]['response'];

/** Compile-time check that a runtime list names every key of a type (a missing one is an error). */
type Exhaustive<T extends string, L extends readonly T[]> = [T] extends [L[number]] ? L : never;

/** The same check for one section: `exhaustive<CaInvoke>()([...])` keeps the list's literal types. */
const exhaustive =
  <S extends object>() =>
  <const L extends readonly (keyof S & string)[]>(list: Exhaustive<keyof S & string, L>): L =>
    list;

/**
 * Each section's channels in a runtime list (the preload builds the API from them); a list missing
 * one of its section's channels does not compile.
 */
export const INVOKE_SECTIONS = {
  app: exhaustive<AppInvoke>()(['getAppInfo', 'copyText', 'openLink']),
  ca: exhaustive<CaInvoke>()(['getCa', 'createCa', 'getKeychain', 'unlockCa', 'pickCaFile', 'importCa', 'exportCaCert', 'exportCaPassphrases', 'importCaPassphrases']),
  nodes: exhaustive<NodesInvoke>()(['listNodes', 'nodesRevision', 'getNode', 'addNodes', 'editNode', 'removeNode', 'removeNodes', 'undoRemove', 'setSshSettings', 'pickSshKey']),
  certs: exhaustive<CertsInvoke>()(['issueCerts', 'exportBundle', 'exportBundles', 'classifyDrop', 'pickCsr', 'previewCsr', 'signCsr', 'listCsrCerts', 'saveCertificate']),
  trust: exhaustive<TrustInvoke>()(['getTrustStatus', 'changeTrust']),
  profiles: exhaustive<ProfilesInvoke>()(['getNodeFiles', 'getProfileOptions', 'getMaelstromKeys', 'rotateMaelstromKeys']),
  lifecycle: exhaustive<LifecycleInvoke>()(['getLifecycle', 'renewNodes', 'renewDue', 'revokeCert', 'getAuditLog', 'warmLifecycle', 'backupVault', 'getPreferences', 'setPreferences']),
  push: exhaustive<PushInvoke>()(['listPushTargets', 'pushNodes', 'cancelPush', 'answerSshKeyPassphrase', 'listSavedSshKeys', 'forgetSshKeyPassphrase']),
  rotation: exhaustive<RotationInvoke>()(['getRotation', 'rotateCa', 'renewOldCa', 'retireOldCa', 'restoreVault', 'resolveInterruptedRestore']),
} as const satisfies { [S in InvokeSection]: readonly (keyof InvokeSections[S])[] };

type ChannelsOf<T> = { [S in keyof T]: keyof T[S] }[keyof T];
type SharedChannels = { [S in InvokeSection]: keyof InvokeSections[S] & ChannelsOf<Omit<InvokeSections, S>> }[InvokeSection];
type IsTrue<T extends true> = T;
/** Does not compile when a channel sits in two sections (the intersection would silently merge its types). */
export type SectionsAreDisjoint = IsTrue<[SharedChannels] extends [never] ? true : false>;

const invokeChannels = [...INVOKE_SECTIONS.app, ...INVOKE_SECTIONS.ca, ...INVOKE_SECTIONS.nodes, ...INVOKE_SECTIONS.certs, ...INVOKE_SECTIONS.trust, ...INVOKE_SECTIONS.profiles, ...INVOKE_SECTIONS.lifecycle, ...INVOKE_SECTIONS.push, ...INVOKE_SECTIONS.rotation] as const satisfies readonly Channel[];
export const INVOKE_CHANNELS: Exhaustive<Channel, typeof invokeChannels> = invokeChannels;

const eventNames = ['issueProgress', 'menuCommand', 'lifecycleProgress', 'pushProgress', 'sshKeyPassphrase', 'pushNotice'] as const satisfies readonly EventName[];
export const EVENT_CHANNELS: Exhaustive<EventName, typeof eventNames> = eventNames;

/** The wire name of a channel: prefixed so ours never collide with Electron's or a library's. */
export const wireName = (name: Channel | EventName): string => `cluster-trust:${name}`;

/** `onIssueProgress`, `onMenuCommand`: the API key that subscribes to an event. */
export type ListenerKey<E extends EventName> = `on${Capitalize<E>}`;
export const listenerKey = <E extends EventName>(name: E): ListenerKey<E> =>
  `on${name[0]!.toUpperCase()}${name.slice(1)}` as ListenerKey<E>;

export type InvokeFn<K extends Channel> = [RequestOf<K>] extends [void]
  ? () => Promise<WireResult<ResponseOf<K>>>
  : (request: RequestOf<K>) => Promise<WireResult<ResponseOf<K>>>;

/** The channels that answer with a row per node or log entry (plain JSON data): sent as JSON text (WireResult). */
export const JSON_TEXT_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['listNodes', 'getLifecycle', 'listPushTargets', 'getRotation', 'getAuditLog']);

/** What the preload exposes as `window.api`: exactly one function per channel and per event. */
export type Api = { [K in Channel]: InvokeFn<K> } & {
  [E in EventName as ListenerKey<E>]: (listener: (payload: Events[E]) => void) => () => void;
};

/** Every key `window.api` has, in a stable order (tests compare against it). */
export function apiKeys(): string[] {
  return [...INVOKE_CHANNELS, ...EVENT_CHANNELS.map(listenerKey)];
}

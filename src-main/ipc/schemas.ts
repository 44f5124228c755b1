import { z } from 'zod';
import { KEY_TYPES, CA_MAX_DAYS, LEAF_MAX_DAYS, type KeyType } from '../pki/policy.ts';
import { NODE_NAME_PATTERN, NODE_NAME_RULE } from '../pki/names.ts';
import { MIN_PASSPHRASE_LENGTH } from '../keychain/passphrase.ts';
import type { ErrorCode } from '../errors.ts';
import { MAX_WARN_DAYS, type CertState } from '../core/status.ts';
import type { RevocationReason } from '../core/crl.ts';
import { LINKS } from './links.ts';
import type { CertStateId, Channel, IpcErrorCode, KeyTypeId, LinkId, RequestOf, RevocationReasonId, RotationStepId } from './contract.ts';
import type { RotationStep } from '../lifecycle/rotation-state.ts';

/**
 * One schema per channel: the shape and size limits of every request, checked in main before any
 * handler runs. Objects are strict (an unknown field is an error, not ignored), strings and lists
 * are bounded, and nothing here is a filesystem path: files are chosen in native dialogs in main.
 */

// The contract repeats a few core types so the renderer can use it without importing main code;
// these lines fail to compile if the two ever drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const keyTypesMatch: Same<KeyType, KeyTypeId> = true;
const errorCodesMatch: Same<ErrorCode, IpcErrorCode> = true;
const certStatesMatch: Same<CertState, CertStateId> = true;
const reasonsMatch: Same<RevocationReason, RevocationReasonId> = true;
const rotationStepsMatch: Same<RotationStep, RotationStepId> = true;
void keyTypesMatch;
void errorCodesMatch;
void certStatesMatch;
void reasonsMatch;
void rotationStepsMatch;

/** Also enforced by the renderer before it sends (AppInfo.limits). */
export const LIMITS = {
  csrBytes: 64 * 1024,
  bulkLines: 5000,
  namesPerNode: 100,
  clipboardChars: 16 * 1024,
  passphraseChars: 1024,
} as const;

const nodeName = z
  .string()
  .max(63, 'a node name has at most 63 characters')
  .regex(NODE_NAME_PATTERN, NODE_NAME_RULE)
  .refine((n) => !n.includes('..'), 'a node name may not contain ".."');

const keyType = z.enum(KEY_TYPES);
const caName = z.string().trim().min(1, 'give the CA a name').max(64, 'the CA name must be 1 to 64 characters');
const dnsList = z.array(z.string().max(253, 'a DNS name has at most 253 characters')).max(LIMITS.namesPerNode, `at most ${LIMITS.namesPerNode} DNS names`);
const ipList = z.array(z.string().max(47, 'not an IP address (too long)')).max(LIMITS.namesPerNode, `at most ${LIMITS.namesPerNode} IP addresses`);
// O and OU: length and printable characters are core's rule (pki/ca-subject.ts), named per field there.
const subjectPart = z.string().max(1024, 'at most 64 characters');
// The rules themselves (no TLD, no wildcard, CIDR without host bits) are core's: one place, one message.
const permitFields = {
  permitDns: z.array(z.string().max(253, 'a DNS suffix has at most 253 characters')).max(64, 'at most 64 DNS suffixes').optional(),
  permitIps: z.array(z.string().max(51, 'not an IP range (too long)')).max(64, 'at most 64 IP ranges').optional(),
};
const token = z.string().regex(/^[0-9a-f]{32}$/, 'not a file token from this app');
const pem = z.string().min(1, 'empty').max(LIMITS.csrBytes, `larger than ${LIMITS.csrBytes / 1024} KiB`);
const leafDays = z.number().int().min(1).max(LEAF_MAX_DAYS);
const jobId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not a job id');

// Profile settings: short keys and values; the profile itself refuses unknown keys and bad values.
const profileOptions = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'not a profile setting name'), z.string().max(256, 'a setting value has at most 256 characters'))
  .refine((o) => Object.keys(o).length <= 32, 'at most 32 settings');

const nodeDraft = z.strictObject({
  name: nodeName,
  profile: z.string().max(64).optional(),
  dns: dnsList,
  ips: ipList,
  server: z.boolean().optional(),
  client: z.boolean().optional(),
  keyType: keyType.optional(),
  options: profileOptions.optional(),
  // Push settings: the core checks their meaning; here only their size.
  ssh: z.string().max(300, 'not an SSH target (too long)').optional(),
  sshKeyToken: z.union([z.literal(''), token]).optional(),
  dest: z.string().max(1024, 'a destination folder has at most 1024 characters').optional(),
  restart: z.string().max(4096, 'a restart command has at most 4096 characters').optional(),
  verifyPort: z.number().int().min(1).max(65535).nullable().optional(),
  owner: z.string().max(65, 'an owner is user, user:group or uid:gid').optional(),
  trustCa: z.boolean().optional(),
  keyOnNode: z.boolean().optional(),
});

/** A CA passphrase the user chose (where no keychain answers). */
const ownPassphrase = z.string().min(MIN_PASSPHRASE_LENGTH, `the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long`).max(LIMITS.passphraseChars);

export const REQUEST_SCHEMAS = {
  getAppInfo: z.undefined(),
  copyText: z.strictObject({ text: z.string().min(1).max(LIMITS.clipboardChars) }),
  openLink: z.strictObject({ id: z.enum(Object.keys(LINKS) as [LinkId, ...LinkId[]]) }),

  getCa: z.undefined(),
  createCa: z.strictObject({
    name: caName,
    keyType,
    days: z.number().int().min(1).max(CA_MAX_DAYS),
    passphrase: ownPassphrase.optional(),
    org: subjectPart.optional(),
    orgUnit: subjectPart.optional(),
    twoTier: z.boolean().optional(),
    ...permitFields,
  }),
  getKeychain: z.undefined(),
  unlockCa: z.strictObject({ passphrase: z.string().min(1, 'type the passphrase').max(LIMITS.passphraseChars) }),
  pickCaFile: z.strictObject({ kind: z.enum(['cert', 'key']) }),
  importCa: z.strictObject({ certToken: token, keyToken: token, keyPassphrase: z.string().min(1).max(LIMITS.passphraseChars).optional(), passphrase: ownPassphrase.optional() }),
  exportCaCert: z.undefined(),
  exportCaPassphrases: z.undefined(),
  importCaPassphrases: z.undefined(),

  listNodes: z.undefined(),
  nodesRevision: z.undefined(),
  getNode: z.strictObject({ name: nodeName }),
  addNodes: z.strictObject({ nodes: z.array(nodeDraft).min(1, 'no nodes given').max(LIMITS.bulkLines, `at most ${LIMITS.bulkLines} nodes at once`) }),
  editNode: nodeDraft,
  removeNode: z.strictObject({ name: nodeName, cert: z.enum(['revoke', 'keep']).optional() }),
  removeNodes: z.strictObject({ names: z.array(nodeName).min(1, 'choose at least one node').max(LIMITS.bulkLines), cert: z.enum(['revoke', 'keep']).optional() }),
  setSshSettings: z.strictObject({
    names: z.array(nodeName).min(1, 'choose at least one node').max(LIMITS.bulkLines),
    user: z.string().min(1, 'give the SSH user').max(32, 'an SSH user has at most 32 characters').optional(),
    sshKeyToken: z.union([z.literal(''), token]).optional(),
    dest: z.string().max(1024, 'a destination folder has at most 1024 characters').optional(),
  }),
  undoRemove: z.strictObject({ token: z.string().regex(/^[0-9a-f]{32}$/, 'not an undo token') }),
  pickSshKey: z.undefined(),

  issueCerts: z.strictObject({
    names: z.array(nodeName).min(1, 'choose at least one node').max(LIMITS.bulkLines),
    days: leafDays.optional(),
    jobId,
  }),
  exportBundle: z.strictObject({
    name: nodeName,
    format: z.enum(['dir', 'tar', 'p12']),
    p12Password: z.string().min(1).max(LIMITS.passphraseChars).optional(),
  }),
  exportBundles: z.strictObject({ names: z.array(nodeName).min(1, 'choose at least one node').max(LIMITS.bulkLines), format: z.enum(['dir', 'tar']) }),
  classifyDrop: z.strictObject({
    fileName: z.string().min(1).max(255, 'a file name has at most 255 characters'),
    base64: z.string().min(1, 'the file is empty').max(Math.ceil(LIMITS.csrBytes / 3) * 4, `a dropped file is at most ${LIMITS.csrBytes / 1024} KiB`).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64'),
  }),
  pickCsr: z.undefined(),
  previewCsr: z.strictObject({ pem }),
  signCsr: z.strictObject({
    pem,
    name: nodeName.optional(),
    days: leafDays.optional(),
    server: z.boolean().optional(),
    client: z.boolean().optional(),
  }),
  listCsrCerts: z.undefined(),
  saveCertificate: z.strictObject({ serial: z.string().regex(/^[0-9a-f]{1,64}$/, 'not a certificate serial') }),

  getTrustStatus: z.undefined(),
  changeTrust: z.strictObject({
    action: z.enum(['install', 'uninstall']),
    stores: z.array(z.enum(['system', 'nss', 'java'])).min(1, 'choose at least one store').max(3).optional(),
    dryRun: z.boolean(),
  }),
  getNodeFiles: z.strictObject({ name: nodeName }),
  getProfileOptions: z.strictObject({ profile: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'not a profile id') }),
  getMaelstromKeys: z.undefined(),
  rotateMaelstromKeys: z.undefined(),

  getLifecycle: z.undefined(),
  renewNodes: z.strictObject({ names: z.array(nodeName).min(1, 'choose at least one node').max(LIMITS.bulkLines), jobId }),
  renewDue: z.strictObject({ jobId }),
  revokeCert: z.strictObject({
    name: nodeName,
    reason: z.enum(['unspecified', 'keyCompromise', 'caCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation']),
  }),
  getAuditLog: z.strictObject({ node: nodeName.optional(), limit: z.number().int().min(1).max(10_000) }),
  warmLifecycle: z.strictObject({ historyLimit: z.number().int().min(1).max(10_000) }),
  backupVault: z.undefined(),
  getPreferences: z.undefined(),
  setPreferences: z
    .strictObject({ notifyExpiry: z.boolean().optional(), expiryWarnDays: z.number().int().min(1).max(MAX_WARN_DAYS).optional() })
    .refine((p) => p.notifyExpiry !== undefined || p.expiryWarnDays !== undefined, 'nothing to set'),

  listPushTargets: z.undefined(),
  pushNodes: z.strictObject({
    jobId,
    names: z.array(nodeName).min(1, 'choose at least one node').max(LIMITS.bulkLines),
    dryRun: z.boolean(),
    verify: z.boolean(),
    trustHostKeys: z
      .array(z.strictObject({ node: nodeName, fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'not an SSH SHA-256 fingerprint') }))
      .max(LIMITS.bulkLines)
      .optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    timeoutSeconds: z.number().int().min(5).max(3600).optional(),
  }),
  cancelPush: z.strictObject({ jobId }),
  answerSshKeyPassphrase: z.strictObject({
    jobId,
    // Echoes the path main sent with the question; only matched against questions still waiting.
    keyFile: z.string().min(1).max(4096),
    passphrase: z.string().min(1, 'empty passphrase').max(LIMITS.passphraseChars).nullable(),
    remember: z.boolean(),
  }),
  listSavedSshKeys: z.undefined(),
  forgetSshKeyPassphrase: z.strictObject({ keyFile: z.string().min(1).max(4096) }),

  // Rotation and restore
  getRotation: z.undefined(),
  rotateCa: z.strictObject({ keyType, days: z.number().int().min(1).max(CA_MAX_DAYS), name: caName.optional(), ...permitFields }),
  renewOldCa: z.strictObject({ jobId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not a job id') }),
  retireOldCa: z
    .strictObject({ force: z.boolean(), confirmCutOff: z.number().int().min(0).max(1_000_000).optional() })
    .refine((r) => !r.force || r.confirmCutOff !== undefined, { message: 'a forced retirement needs the confirmed number of nodes cut off', path: ['confirmCutOff'] }),
  restoreVault: z.strictObject({ force: z.boolean() }),
  resolveInterruptedRestore: z.strictObject({ action: z.enum(['finish', 'roll-back']) }),
} satisfies { [K in Channel]: z.ZodType<RequestOf<K>> };

import { permitOf } from '../permit.ts';
import { X509Certificate } from 'node:crypto';
import { initCa, importCa, showCa, exportCaCert, unlockWithTypedPassphrase } from '../../core/ca.ts';
import { initTwoTierCa } from '../../core/two-tier.ts';
import { describeKeychain } from '../../keychain/keychain.ts';
import { exportCaPassphrases, importCaPassphrases } from '../../core/ca-passphrases.ts';
import { checkCaPassphrases } from '../../lifecycle/passphrase-check.ts';
import { invalid } from '../../errors.ts';
import { writeBundleFile } from '../../bundle/write.ts';
import { formatFingerprint, fingerprintSha256 } from '../../pki/inspect.ts';
import { pemBlocks } from '../../pki/pem.ts';
import { caView } from '../views.ts';
import { readChosenText } from '../files.ts';
import { PickedFiles } from '../picked-files.ts';
import type { Host } from '../host.ts';
import type { CaInvoke } from '../contract.ts';
import type { HandlerSection } from './types.ts';

const MAX_PEM_FILE = 1024 * 1024;

function summarize(kind: 'cert' | 'key', text: string): string {
  const labels = pemBlocks(text).map((b) => b.label);
  if (kind === 'cert') {
    const block = pemBlocks(text).find((b) => b.label === 'CERTIFICATE');
    if (!block) throw invalid('that file holds no PEM CERTIFICATE');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block.der);
    } catch {
      throw invalid('that file holds a corrupt certificate');
    }
    const fp = formatFingerprint(fingerprintSha256(cert.raw));
    return `${cert.subject.replace(/\n/g, ', ')} (SHA-256 ${fp.slice(0, 23)}…)`;
  }
  const label = labels.find((l) => l.endsWith('PRIVATE KEY'));
  if (!label) throw invalid('that file holds no PEM PRIVATE KEY');
  return label === 'ENCRYPTED PRIVATE KEY' || text.includes('Proc-Type: 4,ENCRYPTED') ? 'encrypted private key' : 'private key (not encrypted)';
}

export function caHandlers(host: Host, picked = new PickedFiles()): HandlerSection<CaInvoke> {
  return {
    getCa: () => {
      const ctx = host.context();
      if (!ctx.vault.read().cas.some((c) => c.status === 'active')) return null;
      return caView(ctx, showCa(ctx));
    },
    createCa: async ({ name, keyType, days, passphrase, org, orgUnit, twoTier, ...permit }) => {
      const ctx = host.context();
      const subject = { ...(org !== undefined ? { org } : {}), ...(orgUnit !== undefined ? { orgUnit } : {}) };
      const opts = { name, keyType, days, permit: permitOf(permit), passphrase: passphrase === undefined ? {} : { typed: passphrase }, subject };
      return caView(ctx, await (twoTier ? initTwoTierCa(ctx, opts) : initCa(ctx, opts)));
    },
    getKeychain: () => describeKeychain(host.context().keychain),
    unlockCa: ({ passphrase }) => unlockWithTypedPassphrase(host.context(), passphrase),
    pickCaFile: async ({ kind }) => {
      const path = await host.chooseOpenPath({
        title: kind === 'cert' ? 'Choose the CA certificate (PEM)' : 'Choose the CA private key (PEM)',
        filters: [{ name: kind === 'cert' ? 'Certificates' : 'Private keys', extensions: kind === 'cert' ? ['crt', 'pem', 'cer'] : ['key', 'pem'] }, { name: 'All files', extensions: ['*'] }],
      });
      if (!path) return { picked: false };
      const { text, fileName } = readChosenText(path, MAX_PEM_FILE, kind === 'cert' ? 'certificate file' : 'key file');
      const summary = summarize(kind, text);
      return { picked: true, token: picked.put({ kind, text, fileName }), fileName, summary };
    },
    importCa: async ({ certToken, keyToken, keyPassphrase, passphrase }) => {
      const ctx = host.context();
      const cert = picked.get(certToken, 'cert');
      const key = picked.get(keyToken, 'key');
      // Tokens stay valid on failure (say, a wrong key passphrase) so the user can simply retry.
      const info = await importCa(ctx, { certPem: cert.text, keyPem: key.text, keyPassphrase, passphrase: passphrase === undefined ? {} : { typed: passphrase } });
      picked.drop(certToken, keyToken);
      return caView(ctx, info);
    },
    exportCaCert: async () => {
      const ctx = host.context();
      const pem = exportCaCert(ctx);
      const path = await host.chooseSavePath({ title: 'Save the CA certificate', defaultName: 'cluster-ca.crt', filters: [{ name: 'Certificates', extensions: ['crt', 'pem'] }] });
      if (!path) return { saved: false };
      return { saved: true, path: writeBundleFile(Buffer.from(pem), path) };
    },
    exportCaPassphrases: async () => {
      const path = await host.chooseSavePath({ title: 'Save the CA passphrases (keep this file offline)', defaultName: 'cluster-trust-ca-passphrases.txt', filters: [{ name: 'Text', extensions: ['txt'] }] });
      if (!path) return { saved: false };
      const r = await exportCaPassphrases(host.context(), path);
      return { saved: true, path: r.path, cas: r.cas, missing: r.missing };
    },
    importCaPassphrases: async () => {
      const path = await host.chooseOpenPath({ title: 'Load CA passphrases (a file saved from Cluster Trust)', filters: [{ name: 'Text', extensions: ['txt'] }, { name: 'All files', extensions: ['*'] }] });
      if (!path) return { picked: false };
      const ctx = host.context();
      const r = await importCaPassphrases(ctx, path);
      return { picked: true, stored: r.stored, unknown: r.unknown.length, passphrase: await checkCaPassphrases(ctx) };
    },
  };
}

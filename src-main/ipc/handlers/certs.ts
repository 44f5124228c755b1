import { issueForNodes, signCsr } from '../../core/issue.ts';
import { findNode } from '../../core/nodes.ts';
import { issueOnNodes, onNodeFailures } from '../../lifecycle/key-on-node.ts';
import { currentCert } from '../../core/bundle.ts';
import { prepareBundleExport, prepareBundleExports } from '../../core/export-bundle.ts';
import { classifyDroppedFile } from '../../core/dropped-file.ts';
import { writeBundleFile } from '../../bundle/write.ts';
import { parseCsr } from '../../pki/csr.ts';
import { checkChosenPassphrase } from '../../keychain/passphrase.ts';
import { UserError } from '../../errors.ts';
import { warnDaysOf } from '../../core/status.ts';
import { certSummary, certPem } from '../views.ts';
import { readChosenText } from '../files.ts';
import { LIMITS } from '../schemas.ts';
import { BUNDLE_FORMATS_INFO } from './app.ts';
import type { Host } from '../host.ts';
import type { CertsInvoke } from '../contract.ts';
import type { HandlerSection } from './types.ts';

const DEFAULT_NAMES = { dir: (n: string) => `${n}-bundle`, tar: (n: string) => `${n}-bundle.tar.gz`, p12: (n: string) => `${n}.p12` };
const FILTERS = { dir: [], tar: [{ name: 'Gzipped tar', extensions: ['tar.gz', 'tgz'] }], p12: [{ name: 'PKCS#12', extensions: ['p12', 'pfx'] }] };

export function certHandlers(host: Host): HandlerSection<CertsInvoke> {
  return {
    issueCerts: async ({ names, days, jobId }, call) => {
      const ctx = host.context();
      // Nodes that make their own key go over SSH (known host keys only); the vault makes the others'.
      const inv = ctx.vault.read();
      const onNode = names.flatMap((n) => (inv.nodes.find((x) => x.name === n)?.keyOnNode ? [findNode(inv, n)] : []));
      const here = names.filter((n) => !onNode.some((o) => o.name === n));
      const issued = here.length
        ? await issueForNodes(ctx, here, {
            ...(days !== undefined ? { days } : {}),
            onProgress: (done, total, node) => call.emit('issueProgress', { jobId, done, total, node }),
          })
        : [];
      if (onNode.length) {
        const results = await issueOnNodes(ctx, onNode, { key: 'new', ...(days !== undefined ? { days } : {}) });
        issued.push(...results.flatMap((r) => (r.issued ? [r.issued] : [])));
        const failure = onNodeFailures(results, `${issued.length} issued`);
        if (failure) throw failure;
      }
      return issued.map((i) => ({ node: i.node, serial: i.serial, fingerprint: i.fingerprint, notAfter: i.notAfter, dns: i.dns, ips: i.ips }));
    },
    exportBundle: async ({ name, format, p12Password }) => {
      const info = BUNDLE_FORMATS_INFO.find((f) => f.id === format);
      if (!info?.available) throw new UserError('refused', info?.note ?? `the ${format} format is not available`);
      const ctx = host.context();
      // Everything that can fail (no certificate, passphrase, profile, password) fails before the dialog opens.
      currentCert(ctx, name);
      const prepared = await prepareBundleExport(ctx, name, format, p12Password === undefined ? undefined : checkChosenPassphrase(p12Password));
      const path = await host.chooseSavePath({ title: `Export the bundle of ${name}`, defaultName: DEFAULT_NAMES[format](name), filters: FILTERS[format] });
      if (!path) return { saved: false };
      const done = await prepared.writeTo(path);
      return { saved: true, path: done.path, files: done.files };
    },
    exportBundles: async ({ names, format }) => {
      const ctx = host.context();
      for (const name of names) currentCert(ctx, name);
      // Every bundle is built (each failure named) before the one folder dialog opens.
      const prepared = await prepareBundleExports(ctx, names, format);
      const folder = await host.chooseFolder({ title: `Choose the folder for the bundles of ${prepared.nodes.length} node${prepared.nodes.length === 1 ? '' : 's'}` });
      if (!folder) return { saved: false };
      const done = await prepared.writeInto(folder);
      return { saved: true, path: folder, exported: done.map((d) => ({ node: d.node, path: d.path })) };
    },
    classifyDrop: ({ fileName, base64 }) => classifyDroppedFile(host.context(), Buffer.from(base64, 'base64'), fileName.replace(/[\u0000-\u001f\u007f]/g, '?')),
    pickCsr: async () => {
      const path = await host.chooseOpenPath({
        title: 'Choose a certificate signing request (PEM)',
        filters: [{ name: 'Certificate requests', extensions: ['csr', 'req', 'pem'] }, { name: 'All files', extensions: ['*'] }],
      });
      if (!path) return { picked: false };
      const { text, fileName } = readChosenText(path, LIMITS.csrBytes, 'CSR');
      return { picked: true, fileName, pem: text };
    },
    previewCsr: async ({ pem }) => {
      const csr = await parseCsr(pem);
      return { commonName: csr.commonName, dns: csr.dns, ips: csr.ips, keyType: csr.keyType };
    },
    signCsr: async ({ pem, name, days, server, client }) => {
      const { certPem: signed, issued, standalone } = await signCsr(host.context(), pem, {
        ...(name !== undefined ? { name } : {}),
        ...(days !== undefined ? { days } : {}),
        ...(server !== undefined ? { server } : {}),
        ...(client !== undefined ? { client } : {}),
      });
      return { certPem: signed, standalone, issued: { node: issued.node, serial: issued.serial, fingerprint: issued.fingerprint, notAfter: issued.notAfter, dns: issued.dns, ips: issued.ips } };
    },
    listCsrCerts: () => {
      const ctx = host.context();
      const now = ctx.now();
      return ctx.vault
        .read()
        .certs.filter((c) => !c.hasKey)
        .sort((a, b) => b.issuedAt.localeCompare(a.issuedAt))
        .map((c) => certSummary(c, now, warnDaysOf(ctx)));
    },
    saveCertificate: async ({ serial }) => {
      const ctx = host.context();
      const rec = ctx.vault.read().certs.find((c) => c.serial === serial);
      if (!rec) throw new UserError('not-found', `no certificate with serial ${serial} in this vault`);
      const pem = certPem(ctx, rec);
      const path = await host.chooseSavePath({ title: `Save the certificate of ${rec.node}`, defaultName: `${rec.node}.crt`, filters: [{ name: 'Certificates', extensions: ['crt', 'pem'] }] });
      if (!path) return { saved: false };
      return { saved: true, path: writeBundleFile(Buffer.from(pem), path) };
    },
  };
}

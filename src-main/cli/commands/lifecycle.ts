import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { renewNodes, type KeyMode, type RenewSelection } from '../../lifecycle/renew.ts';
import { KEY_ON_NODE_OPTIONS, KEY_ON_NODE_USAGE, keyOnNodeOptions, onNodeProgress, withSigint } from '../key-on-node-options.ts';
import { revokeCertificate, type RevokeTarget } from '../../lifecycle/revoke.ts';
import { generateCrls, REVOCATION_REASONS } from '../../core/crl.ts';
import { rotateCa, caStatus, type CaStatus } from '../../lifecycle/rotate.ts';
import { readAudit } from '../../vault/audit.ts';
import { retireOldCa } from '../../lifecycle/retire.ts';
import { backupVault } from '../../lifecycle/backup.ts';
import { restoreVault } from '../../lifecycle/restore.ts';
import { resolveInterruptedRestore } from '../../lifecycle/restore-recovery.ts';
import { sshKeyPassphrases } from '../ssh-key-passphrases.ts';
import { writeFileAtomic } from '../../vault/atomic.ts';
import { formatFingerprint } from '../../pki/inspect.ts';
import { KEY_TYPES } from '../../pki/policy.ts';
import { invalid } from '../../errors.ts';
import { intOption, one, type ParsedArgs } from '../args.ts';
import { kv, table } from '../format.ts';
import { PERMIT_OPTIONS, SUBJECT_OPTIONS, constraintWarningLines, describeCaConstraints, permitOptions, subjectOptions } from './ca.ts';
import type { Command } from '../command.ts';
import { STATUS_DUE_EXIT } from './status.ts';

/** `ca status`'s last line: the rotation model's step, in words (the wizard shows the same step). */
function rotationNext(s: CaStatus): string {
  const list = (names: string[]): string => names.slice(0, 8).join(', ') + (names.length > 8 ? `, and ${names.length - 8} more` : '');
  if (s.step === 'none') return 'no rotation under way';
  if (s.step === 'renew') {
    return s.onPreviousCa.length
      ? `${s.onPreviousCa.length} node(s) still carry a live certificate from the previous CA: ${list(s.onPreviousCa)} (\`cluster-trust renew --old-ca\`, then push)`
      : `${s.toRenew.length} node(s) still carry a certificate from an older CA: ${list(s.toRenew)} (\`cluster-trust renew --old-ca\`, then push)`;
  }
  if (s.step === 'push') return `every node is on the new CA; ${s.pushPending.length} renewed node(s) not pushed since: ${list(s.pushPending)} (\`cluster-trust push\`), then \`cluster-trust ca retire-old\``;
  if (s.onPreviousCa.length) return `${s.onPreviousCa.length} holder(s) of a live certificate from the previous CA block \`ca retire-old\`: ${list(s.onPreviousCa)} (sign a new CSR for or revoke each)`;
  return 'every node is on the new CA: `cluster-trust ca retire-old` can follow';
}

function renewSelection(args: ParsedArgs): RenewSelection {
  const picked = [args.positionals.length > 0, args.flags.has('due'), args.flags.has('all'), args.flags.has('old-ca')].filter(Boolean).length;
  if (picked !== 1) throw invalid('name the nodes to renew, or use exactly one of --due, --all, --old-ca');
  if (args.options.has('within') && !args.flags.has('due')) throw invalid('--within goes with --due');
  if (args.flags.has('due')) return 'due';
  if (args.flags.has('all')) return 'all';
  if (args.flags.has('old-ca')) return 'old-ca';
  return args.positionals;
}

function keyMode(args: ParsedArgs): KeyMode {
  if (args.flags.has('rekey') && args.flags.has('keep-key')) throw invalid('choose --rekey or --keep-key, not both');
  return args.flags.has('rekey') ? 'rekey' : args.flags.has('keep-key') ? 'keep-key' : 'auto';
}

export const lifecycleCommands: Command[] = [
  {
    words: ['renew'],
    usage: `renew NAME... | --due | --all | --old-ca [--rekey | --keep-key] [--keep-csr-key] [--key ${KEY_TYPES.join('|')}] [--days N] [--within DAYS] [--push] ${KEY_ON_NODE_USAGE}`,
    summary: 're-issue certificates with the same names and profile, a new serial and validity, from the active CA (new key unless --keep-key; a key from a CSR only with NAME... --keep-csr-key)',
    options: [
      { name: 'due' }, { name: 'all' }, { name: 'old-ca' }, { name: 'rekey' }, { name: 'keep-key' }, { name: 'keep-csr-key' }, { name: 'push' },
      { name: 'key', value: true }, { name: 'days', value: true }, { name: 'within', value: true }, ...KEY_ON_NODE_OPTIONS,
    ],
    async run(ctx, args, io) {
      const selection = renewSelection(args);
      const mode = keyMode(args);
      const push = args.flags.has('push');
      const skipped: Array<{ node: string; why: string }> = [];
      const failed: Array<{ node: string; why: string }> = [];
      const renewed = await withSigint((signal) => renewNodes(ctx, selection, {
        onSkipped: (node, why) => skipped.push({ node, why }),
        onNode: keyOnNodeOptions(args, io.progress, signal),
        onNodeEvent: onNodeProgress(io.progress),
        onFailed: (node, why) => failed.push({ node, why }),
        keyMode: mode,
        keepCsrKey: args.flags.has('keep-csr-key'),
        keyType: one(args, 'key'),
        days: intOption(args, 'days'),
        withinDays: intOption(args, 'within'),
        requireSshTarget: push,
        onProgress: (done, total, node) => io.progress(`[${done}/${total}] ${node}`),
      }));
      // Left out of a batch: still due, so the run exits as `status` does when something is due.
      const skippedLines = [...skipped.map((x) => `skipped ${x.node}: ${x.why}`), ...failed.map((x) => `FAILED ${x.node}: ${x.why}`)];
      const skippedExit = failed.length ? 1 : skipped.length ? STATUS_DUE_EXIT : 0;
      if (renewed.length === 0) {
        const what = skipped.length ? 'nothing was renewed' : selection === 'due' ? 'nothing is due for renewal' : selection === 'old-ca' ? 'no node carries a certificate from an older CA' : 'no node has a certificate to renew';
        return { human: [what, ...skippedLines].join('\n'), json: { renewed: [], skipped, failed, pushed: null }, exitCode: skippedExit };
      }
      const lines = [table(['NODE', 'OLD SERIAL', 'NEW SERIAL', 'NOT AFTER', 'KEY'], renewed.map((r) => [r.node, r.previousSerial, r.serial, r.notAfter, r.keptKey ? 'kept' : 'new'])), ...(skippedLines.length ? ['', ...skippedLines] : [])];
      let pushed = null;
      let exitCode = skippedExit;
      if (push) {
        // ssh2 loads only for `renew --push`, not for every `status`.
        const { pushRenewed } = await import('../../lifecycle/push.ts');
        pushed = await pushRenewed(ctx, renewed.map((r) => r.node), (line) => io.progress(line), { askPassphrase: sshKeyPassphrases(undefined, false), onNotice: (line) => io.progress(`note: ${line}`) });
        lines.push('', table(['NODE', 'PUSH', 'DETAIL'], pushed.map((p) => [p.node, p.ok ? 'ok' : 'FAILED', p.detail])));
        if (pushed.some((p) => !p.ok)) exitCode = 3;
      } else {
        lines.push('', 'deliver them with `cluster-trust bundle NAME --out DIR` (or renew with --push)');
      }
      return { human: lines.join('\n'), json: { renewed, skipped, failed, pushed }, exitCode };
    },
  },
  {
    words: ['revoke'],
    usage: `revoke NAME | --serial HEX [--reason ${Object.keys(REVOCATION_REASONS).join('|')}]`,
    summary: 'revoke a node\'s current certificate (or any by serial); it stays in history and the CRL is re-signed',
    options: [{ name: 'serial', value: true }, { name: 'reason', value: true }],
    async run(ctx, args) {
      const serial = one(args, 'serial');
      if ((serial !== undefined) === (args.positionals.length > 0) || args.positionals.length > 1) {
        throw invalid(`usage: cluster-trust ${this.usage}`);
      }
      const target: RevokeTarget = serial !== undefined ? { serial } : { node: args.positionals[0]! };
      const r = await revokeCertificate(ctx, target, one(args, 'reason'));
      const lines = [`revoked certificate ${r.cert.serial} of "${r.cert.node}" (reason ${r.reason}); CRL number ${r.crlNumber} signed`];
      lines.push(r.needsRenewal
        ? `"${r.cert.node}" has no valid certificate now: run \`cluster-trust renew ${r.cert.node}\`${r.reason === 'keyCompromise' ? ' (a new key is made)' : ''}, then redeploy its bundle and the CRL (\`cluster-trust crl --out FILE\`)`
        : 'publish the new CRL: `cluster-trust crl --out FILE`');
      return { human: lines.join('\n'), json: { ...r, suggestion: r.needsRenewal ? `cluster-trust renew ${r.cert.node}` : null } };
    },
  },
  {
    words: ['crl'],
    usage: 'crl [--out FILE] [--days N] [--der]',
    summary: 'sign a new CRL (its number grows every time) for every trusted CA; PEM to stdout or FILE, --der for the active CA\'s in DER',
    options: [{ name: 'out', value: true }, { name: 'days', value: true }, { name: 'der' }],
    async run(ctx, args) {
      const out = one(args, 'out');
      const der = args.flags.has('der');
      if (der && !out) throw invalid('--der writes binary: give --out FILE');
      if (out && existsSync(out) && !statSync(out).isFile()) throw invalid(`${out} exists and is not a file`);
      if (out && !existsSync(resolve(out, '..'))) throw invalid(`the folder ${resolve(out, '..')} does not exist`);
      const crl = await generateCrls(ctx, { days: intOption(args, 'days') });
      const info = { number: crl.number, thisUpdate: crl.thisUpdate.toISOString(), nextUpdate: crl.nextUpdate.toISOString(), revoked: crl.revoked, cas: crl.cas };
      if (!out) return { human: crl.pem.trimEnd(), json: { ...info, pem: crl.pem, path: null } };
      const path = resolve(out);
      // Replaced in place on purpose: servers point at one CRL path that a cron job refreshes.
      writeFileAtomic(path, der ? crl.der : Buffer.from(crl.pem), 0o644);
      const note = der && crl.cas > 1 ? ' (DER holds the active CA\'s CRL only; use PEM for every trusted CA)' : '';
      return { human: `wrote CRL number ${crl.number} (${crl.revoked} revoked, next update ${info.nextUpdate}) to ${path}${note}`, json: { ...info, path } };
    },
  },
  {
    words: ['ca', 'rotate'],
    usage: `ca rotate [--key ${KEY_TYPES.join('|')}] [--days N] [--name NAME] [--org O] [--org-unit OU] [--permit-dns SUFFIX]... [--permit-ip CIDR]...`,
    summary: 'make a new CA the active one (keeping the old one\'s O, OU and name constraints unless --org, --org-unit, --permit-* are given); the old one stays trusted in every ca.crt until `ca retire-old`; a two-tier CA gets a new root and intermediate (--name names the root)',
    options: [{ name: 'key', value: true }, { name: 'days', value: true }, { name: 'name', value: true }, ...SUBJECT_OPTIONS, ...PERMIT_OPTIONS],
    async run(ctx, args) {
      const r = await rotateCa(ctx, { keyType: one(args, 'key'), days: intOption(args, 'days'), name: one(args, 'name'), permit: permitOptions(args), subject: subjectOptions(args) });
      const root = r.ca.root;
      const human = [
        kv([
          ...(root ? [['new root', `${root.name}, valid until ${root.notAfter}: the new trust anchor`], ['root SHA-256', formatFingerprint(root.sha256)], ['root key', `in the vault (passphrase ${root.passphraseLocation})`]] as Array<[string, string]> : []),
          [root ? 'new intermediate' : 'new CA', `${r.ca.name} (${r.ca.keyType}), active`],
          ['valid', `${r.ca.notBefore} .. ${r.ca.notAfter}`],
          ['SHA-256', formatFingerprint(r.ca.sha256)],
          ['passphrase', r.ca.passphraseLocation],
          ['names', describeCaConstraints(r.ca)],
          root
            ? ['previous', `${r.previous.name}: its root stays trusted in every bundle's ca.crt beside the new one`]
            : ['previous CA', `${r.previous.name}: still trusted in every bundle's ca.crt`],
        ]) + constraintWarningLines(r.ca),
        ...(root ? ['', 'trust the new root on workstations now (`cluster-trust trust install`); `ca retire-old` removes the old one from this machine\'s stores'] : []),
        '',
        r.onPreviousCa.length
          ? `${r.onPreviousCa.length} node(s) still carry certificates from the previous CA. Next: push bundles (ca.crt now trusts both CAs), \`cluster-trust renew --old-ca\`, push again, then \`cluster-trust ca retire-old\`.`
          : 'no node carries a certificate from the previous CA: `cluster-trust ca retire-old` can follow once every node has the new ca.crt.',
      ].join('\n');
      return { human, json: r };
    },
  },
  {
    words: ['ca', 'status'],
    usage: 'ca status',
    summary: 'every CA in the vault and which CA each node\'s certificate comes from',
    async run(ctx) {
      const s = caStatus(ctx);
      const human = [
        table(['CA', 'STATUS', 'KEY', 'NOT AFTER', 'SHA-256'], s.cas.map((c) => [c.name, c.status, c.keyType, c.notAfter, `${formatFingerprint(c.fingerprint).slice(0, 23)}...`])),
        '',
        s.nodes.length ? table(['NODE', 'CA', 'CA STATUS', 'SERIAL', 'STATE'], s.nodes.map((n) => [n.node, n.ca ?? '-', n.caStatus ?? '-', n.serial ?? '-', n.state])) : 'no nodes yet',
        '',
        rotationNext(s),
      ].join('\n');
      return { human, json: s };
    },
  },
  {
    words: ['ca', 'retire-old'],
    usage: 'ca retire-old [--force]',
    summary: 'stop trusting the previous CA in bundles and in this machine\'s trust stores (refused while a node still holds a live certificate from it, unless --force)',
    options: [{ name: 'force' }],
    async run(ctx, args) {
      const r = await retireOldCa(ctx, { force: args.flags.has('force') });
      const stores = r.trustStores;
      const lines = [`retired CA "${r.retired.name}" (${formatFingerprint(r.retired.fingerprint).slice(0, 23)}...): new bundles trust the active CA only; its certificate and encrypted key stay in the vault`];
      if (r.forcedPast.length) lines.push(`forced: ${r.forcedPast.join(', ')} still hold certificates from it and will be refused once peers get the new ca.crt; renew them now`);
      for (const s of stores) lines.push(`trust store ${s.store}: ${s.removed ? 'removed the retired CA' : `NOT removed: ${s.message}`}`);
      // A retired intermediate was never in ca.crt (only its root is): nothing changes on the nodes, unless its root went with it.
      lines.push(r.caCrtChanged ? `push the new ca.crt to every node (bundles or \`renew --all --push\`)${r.retired.rootId ? ': it holds the new root only' : ''}` : 'ca.crt (the root) is unchanged: nodes and workstations need nothing for this');
      return { human: lines.join('\n'), json: r, exitCode: stores.some((s) => !s.removed) ? 3 : 0 };
    },
  },
  {
    words: ['log'],
    usage: 'log [--node NAME]',
    summary: 'the audit log: CA changes, issuance, renewal, revocation, rotation, exports, trust changes, pushes',
    options: [{ name: 'node', value: true }],
    async run(ctx, args) {
      const entries = readAudit(ctx, { node: one(args, 'node') });
      const human = entries.length === 0 ? 'the audit log is empty' : table(
        ['TIME', 'ACTION', 'NODE', 'SERIAL', 'OUTCOME', 'DETAIL'],
        entries.map((e) => [e.time, e.action, e.node ?? '-', e.serial ?? '-', e.outcome, e.detail ?? '']),
      );
      return { human, json: entries };
    },
  },
  {
    words: ['backup'],
    usage: 'backup --out FILE',
    summary: 'write the whole vault (keys still encrypted) as one .tar.gz with checksums inside and FILE.sha256 beside it',
    options: [{ name: 'out', value: true }],
    async run(ctx, args) {
      const out = one(args, 'out');
      if (!out || args.positionals.length) throw invalid(`usage: cluster-trust ${this.usage}`);
      const r = await backupVault(ctx, out);
      return {
        human: [
          `backed up ${r.files} files (${r.bytes} bytes) to ${r.path}`,
          `checksum: ${r.checksumPath} (SHA-256 ${r.sha256})`,
          r.unauthenticated ? `checksum only, NOT authenticated: ${r.unauthenticated}` : 'authenticated with the active CA\'s passphrase (a restore checks it before writing anything)',
          'passphrases are not in the backup: keep your passphrase file, or save the keychain\'s with `cluster-trust ca passphrase export --out FILE`',
        ].join('\n'),
        json: r,
      };
    },
  },
  {
    words: ['restore'],
    usage: 'restore FILE [--force] [--accept-unauthenticated] | restore --finish | restore --roll-back',
    summary: 'restore a backup into --home after verifying it (authenticated with the CA passphrase; one that cannot be needs --accept-unauthenticated); refuses a non-empty vault unless --force (which moves the old one aside); --finish or --roll-back completes an interrupted one',
    options: [{ name: 'force' }, { name: 'accept-unauthenticated' }, { name: 'finish' }, { name: 'roll-back' }],
    async run(ctx, args) {
      const recovery = (['finish', 'roll-back'] as const).filter((f) => args.flags.has(f));
      if (recovery.length > 0) {
        if (recovery.length > 1 || args.positionals.length || args.flags.has('force') || args.flags.has('accept-unauthenticated')) throw invalid(`usage: cluster-trust ${this.usage}`);
        const r = resolveInterruptedRestore(ctx, recovery[0]!);
        return {
          human: r.action === 'finish'
            ? `finished the interrupted restore: ${r.home} holds the restored vault (${r.cas} CA(s), ${r.nodes} node(s)); the vault from before stays in ${r.previousVaultMovedTo}`
            : `rolled back the interrupted restore: ${r.home} holds the vault from before again (${r.cas} CA(s), ${r.nodes} node(s))`,
          json: r,
        };
      }
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const r = await restoreVault(ctx, args.positionals[0]!, { force: args.flags.has('force'), acceptUnauthenticated: args.flags.has('accept-unauthenticated') });
      const lines = [
        `restored ${r.files} files into ${r.home} (backup made ${r.createdAt}${r.checkedSidecar ? ', checksum file verified' : ', no checksum file beside it: verified against its manifest'})`,
        r.authenticity.authenticated ? 'authenticated: the backup\'s code matches under the CA passphrase' : `checksum only, NOT authenticated (accepted with --accept-unauthenticated): ${r.authenticity.why}`,
        `${r.inventory.cas.length} CA(s), ${r.inventory.nodes.length} node(s), ${r.inventory.certs.length} certificate(s)`,
      ];
      if (r.previousVaultMovedTo) lines.push(`the vault that was there is now in ${r.previousVaultMovedTo}`);
      lines.push('signing needs the CAs\' passphrases: the same keychain entries or passphrase file as before');
      return {
        human: lines.join('\n'),
        json: { home: r.home, files: r.files, cas: r.inventory.cas.length, nodes: r.inventory.nodes.length, certs: r.inventory.certs.length, previousVaultMovedTo: r.previousVaultMovedTo, checkedSidecar: r.checkedSidecar, authenticated: r.authenticity.authenticated },
      };
    },
  },
];

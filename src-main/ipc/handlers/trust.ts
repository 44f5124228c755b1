import { activeTrustStatus, changeTrust } from '../../lifecycle/untrust.ts';
import { formatFingerprint } from '../../pki/inspect.ts';
import { parseTrustedCa, type StoreResult, type TrustOptions } from '../../truststore/index.ts';
import { posixCommand } from '../../truststore/shell.ts';
import type { TrustInvoke, TrustReport, TrustStoreRow } from '../contract.ts';
import type { Host } from '../host.ts';
import type { HandlerSection } from './types.ts';

/**
 * Where the stores live (NSS database folders, a Java keystore, a fake root, the admin prompt).
 * Main-side only: the renderer picks an action and store kinds, never a path. Tests pass private
 * folders here; the app passes nothing, i.e. this machine's real stores.
 */
export type TrustPlacement = Omit<TrustOptions, 'stores' | 'dryRun' | 'caFile' | 'name'>;

function row(r: StoreResult): TrustStoreRow {
  return {
    store: r.store,
    kind: r.kind,
    title: r.title,
    enforcesNameConstraints: r.nameConstraints.enforced,
    nameConstraintsNote: r.nameConstraints.note,
    present: r.present,
    installed: r.installed,
    changed: r.changed,
    commands: r.commands.map(posixCommand),
    message: r.error?.appMessage ?? r.message,
    locations: r.locations,
    ...(r.missingTool ? { missingTool: { ...r.missingTool } } : {}),
    ...(r.elevated !== undefined ? { elevated: r.elevated } : {}),
    ...(r.dryRun !== undefined ? { dryRun: r.dryRun } : {}),
    ...(r.error ? { error: { code: r.error.code, message: r.error.appMessage ?? r.error.message } } : {}),
    ...(r.databases ? { databases: r.databases.map((d) => ({ ...d })) } : {}),
  };
}

function report(ca: { pem: string; file: string; name: string }, action: TrustReport['action'], dryRun: boolean, results: StoreResult[]): TrustReport {
  const parsed = parseTrustedCa(ca.pem, ca.name);
  return { ca: { name: ca.name, subject: parsed.subject, sha256: formatFingerprint(parsed.sha256), file: ca.file }, action, dryRun, stores: results.map(row) };
}

export function trustHandlers(host: Host, placement: TrustPlacement = {}): HandlerSection<TrustInvoke> {
  return {
    getTrustStatus: async () => {
      const { ca, results } = await activeTrustStatus(host.context(), placement);
      return report(ca, 'status', true, results);
    },
    changeTrust: async ({ action, stores, dryRun }) => {
      const { ca, results } = await changeTrust(host.context(), action, { ...placement, dryRun, ...(stores ? { stores } : {}) });
      return report(ca, action, dryRun, results);
    },
  };
}

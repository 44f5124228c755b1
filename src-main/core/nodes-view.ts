import { indexInventory } from './inventory-index.ts';
import type { CoreContext } from './context.ts';
import type { CaRecord, CertRecord, Inventory, NodeRecord } from '../vault/schema.ts';

/** What list views need of a node's newest certificate. */
export type CertSummary = Pick<CertRecord, 'serial' | 'caId' | 'notBefore' | 'notAfter' | 'status'>;

/**
 * The inventory as list views read it (`status`, `node list`): every node with only its newest
 * certificate's dates and state, without the certificate history. Kept beside the inventory as a
 * derived file, so at 10,000 nodes a view parses about half the bytes and objects of the inventory.
 */
export interface NodesView {
  cas: readonly CaRecord[];
  nodes: readonly NodeRecord[];
  /** By node record id. */
  latest: ReadonlyMap<string, CertSummary>;
  crl: Inventory['crl'];
  crlNumber: number;
  lastBackupAt: string | undefined;
}

const VIEW_FILE = '.view-nodes.json';
/** Bumped whenever the file's layout changes: an older file is then computed again. */
const VIEW_FORMAT = 1;

type LatestRow = [nodeId: string, serial: string, caId: string, notBefore: string, notAfter: string, status: CertRecord['status']];

interface ViewFile {
  format: number;
  cas: CaRecord[];
  nodes: NodeRecord[];
  latest: LatestRow[];
  crl?: Inventory['crl'];
  crlNumber: number;
  lastBackupAt?: string;
}

function nodesViewOf(inv: Inventory): NodesView {
  const index = indexInventory(inv);
  const latest = new Map<string, CertSummary>();
  for (const n of inv.nodes) {
    const c = index.latest(n.name);
    if (c) latest.set(n.id, { serial: c.serial, caId: c.caId, notBefore: c.notBefore, notAfter: c.notAfter, status: c.status });
  }
  return { cas: inv.cas, nodes: inv.nodes, latest, crl: inv.crl, crlNumber: inv.crlNumber, lastBackupAt: inv.lastBackupAt };
}

function toFile(v: NodesView): string {
  const file: ViewFile = {
    format: VIEW_FORMAT,
    cas: [...v.cas],
    nodes: [...v.nodes],
    latest: [...v.latest].map(([id, c]) => [id, c.serial, c.caId, c.notBefore, c.notAfter, c.status]),
    ...(v.crl ? { crl: v.crl } : {}),
    crlNumber: v.crlNumber,
    ...(v.lastBackupAt !== undefined ? { lastBackupAt: v.lastBackupAt } : {}),
  };
  return JSON.stringify(file);
}

/** The file as written by toFile; anything else (another format, a damaged file) is not used. */
function fromFile(raw: unknown): NodesView | undefined {
  const f = raw as Partial<ViewFile> | null;
  if (!f || f.format !== VIEW_FORMAT || !Array.isArray(f.cas) || !Array.isArray(f.nodes) || !Array.isArray(f.latest) || typeof f.crlNumber !== 'number') return undefined;
  const latest = new Map<string, CertSummary>();
  for (const r of f.latest) latest.set(r[0], { serial: r[1], caId: r[2], notBefore: r[3], notAfter: r[4], status: r[5] });
  return { cas: f.cas, nodes: f.nodes, latest, crl: f.crl, crlNumber: f.crlNumber, lastBackupAt: f.lastBackupAt };
}

const ofSnapshot = new WeakMap<Inventory, NodesView>();

function viewOfSnapshot(inv: Inventory): NodesView {
  let view = ofSnapshot.get(inv);
  if (!view) ofSnapshot.set(inv, (view = nodesViewOf(inv)));
  return view;
}

/**
 * The view of the vault as it is now: from the derived file when it was computed from this very
 * inventory (the vault checks the stamp), else from the inventory, storing the file for the next reader.
 */
export function readNodesView(ctx: CoreContext): NodesView {
  // A process that already holds the inventory (the app) derives the view from it, once per snapshot.
  const snapshot = ctx.vault.keptSnapshot();
  if (snapshot) return viewOfSnapshot(snapshot);
  const kept = fromFile(ctx.vault.readDerived(VIEW_FILE));
  if (kept) return kept;
  const { inventory, stamp } = ctx.vault.readStamped();
  const view = viewOfSnapshot(inventory);
  if (stamp) ctx.vault.writeDerived(VIEW_FILE, stamp, toFile(view));
  return view;
}

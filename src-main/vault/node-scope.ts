import { certRecordSchema, nodeRecordSchema, type CaRecord, type CertRecord, type Inventory, type NodeRecord, type RootRecord } from './schema.ts';
import type { RecordLine } from './inventory-text.ts';

/**
 * What a change to a few nodes reads and writes (`Vault.updateNodes`): the CAs and roots (read
 * only), the named nodes' records and every certificate of theirs. Records change in place; new
 * certificates are pushed onto `certs`; nothing is removed.
 */
export interface NodeScope {
  readonly cas: readonly CaRecord[];
  readonly roots: readonly RootRecord[];
  /** The named nodes that exist, in the order named. */
  readonly nodes: NodeRecord[];
  /** Their certificates, in inventory order; then the ones this change adds. */
  readonly certs: CertRecord[];
}

/** The scope of `names` within a whole inventory: its own record objects, so changes land in it. */
export function scopeOf(inv: Inventory, names: readonly string[]): NodeScope {
  const byName = new Map(inv.nodes.map((n) => [n.name, n]));
  const nodes = [...new Set(names)].flatMap((n) => byName.get(n) ?? []);
  const ids = new Set(nodes.map((n) => n.id));
  return { cas: inv.cas, roots: inv.roots, nodes, certs: inv.certs.filter((c) => c.nodeId !== undefined && ids.has(c.nodeId)) };
}

function keptAll<T>(before: readonly T[], after: readonly T[]): boolean {
  return before.length <= after.length && before.every((r, i) => after[i] === r);
}

/** A change may only edit and add: a programming error otherwise, before anything is written. */
export function assertOnlyAdded(before: { nodes: readonly NodeRecord[]; certs: readonly CertRecord[] }, scope: NodeScope): void {
  if (scope.nodes.length !== before.nodes.length || !keptAll(before.nodes, scope.nodes) || !keptAll(before.certs, scope.certs)) {
    throw new Error('a node-scoped vault change may edit records and add certificates, not remove or reorder them');
  }
}

/** Applies a scope's added certificates to the whole inventory it was taken from (`scopeOf`). */
export function mergeScope(inv: Inventory, certsBefore: number, scope: NodeScope): void {
  inv.certs.push(...scope.certs.slice(certsBefore));
}

/**
 * The inventory file with a scope's changes: each record whose JSON differs from its line is
 * checked against the schema and its line replaced; added certificates go after the last line of
 * the certificate list. Every other byte stays as the last checked write left it.
 */
export function spliceScope(file: Buffer, lines: { nodes: Array<RecordLine<NodeRecord>>; certs: Array<RecordLine<CertRecord>>; certsEnd: number }, scope: NodeScope): Buffer[] {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const replace = <T>(line: RecordLine<T>, now: T, schema: { parse(x: unknown): T }) => {
    const text = JSON.stringify(now);
    if (text !== file.toString('utf8', line.start, line.end)) edits.push({ start: line.start, end: line.end, text: JSON.stringify(schema.parse(now)) });
  };
  lines.nodes.forEach((line, i) => replace(line, scope.nodes[i]!, nodeRecordSchema));
  lines.certs.forEach((line, i) => replace(line, scope.certs[i]!, certRecordSchema));
  const added = scope.certs.slice(lines.certs.length).map((c) => JSON.stringify(certRecordSchema.parse(c)));
  if (added.length) edits.push({ start: lines.certsEnd, end: lines.certsEnd, text: `,\n${added.join(',\n')}` });
  edits.sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(file.subarray(at, e.start), Buffer.from(e.text));
    at = e.end;
  }
  parts.push(file.subarray(at));
  return parts;
}

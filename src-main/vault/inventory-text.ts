import type { CertRecord, Inventory, NodeRecord } from './schema.ts';

/**
 * inventory.json as written: one record a line (diffs and `grep` stay readable), without the
 * indentation that made a 10,000-node file a quarter larger and slower to parse.
 * (Checking only the records a change touched, by their JSON, was measured slower than zod's
 * whole pass: hashing 20,000 record strings costs more than the schema.)
 */
export function inventoryText(inv: Inventory): string {
  return layout(Object.entries(inv).map(([k, v]): [string, string | string[]] => [k, Array.isArray(v) ? v.map((r) => JSON.stringify(r)) : JSON.stringify(v)]));
}

function layout(fields: Array<[string, string | string[] | undefined]>): string {
  const parts = fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (Array.isArray(v) ? (v.length ? `${JSON.stringify(k)}: [\n${v.join(',\n')}\n]` : `${JSON.stringify(k)}: []`) : `${JSON.stringify(k)}: ${v}`));
  return `{\n${parts.join(',\n')}\n}\n`;
}

/** Byte range of one list's lines ("nodes", "certs") in a file `inventoryText` wrote; null when empty or absent. */
function listRange(file: Buffer, key: string, from = 0): [number, number] | null {
  // The key, then what follows it: an empty list ("[]") is found where it stands, not by scanning
  // the megabytes after it for a "[\n" that never comes. `from`: where the key is expected to follow.
  const head = `\n${JSON.stringify(key)}: [`;
  let at = file.indexOf(head, from);
  if (at < 0 && from > 0) at = file.indexOf(head);
  if (at < 0 || file[at + head.length] !== 0x0a) return null;
  const end = file.indexOf('\n]', at + head.length);
  return end < 0 ? null : [at + head.length, end + 1]; // from the newline before the first line to the one after the last
}

/** A record parsed from its line, with the line's byte range (without the "," that ends all but a list's last). */
export interface RecordLine<T> {
  record: T;
  start: number;
  end: number;
}

/** The records on the lines of a list that contain `needle`, parsed (one record a line, each but the last ending in ","). */
function linesContaining<T>(file: Buffer, range: [number, number] | null, needle: string): Array<RecordLine<T>> {
  const out: Array<RecordLine<T>> = [];
  if (!range) return out;
  const [from, to] = range;
  for (let at = file.indexOf(needle, from); at >= 0 && at < to; at = file.indexOf(needle, at + 1)) {
    const start = file.lastIndexOf(0x0a, at) + 1;
    let end = file.indexOf(0x0a, at);
    if (end < 0) break;
    at = end;
    if (file[end - 1] === 0x2c) end--; // the "," between records
    out.push({ record: JSON.parse(file.toString('utf8', start, end)) as T, start, end });
  }
  return out;
}

/**
 * One node's record and certificates from a file `inventoryText` wrote, without decoding or parsing
 * the rest: the lines holding its name, then its id, are parsed and checked field by field (a line
 * that merely contains the text, in an option's value say, is dropped). Only for a file known to be
 * exactly what `inventoryText` wrote (the vault's checked stamp); undefined when no node has that name.
 */
export function nodeRecordsIn(file: Buffer, name: string): { node: NodeRecord; certs: CertRecord[] } | undefined {
  const lines = nodeLinesIn(file, [name]);
  const node = lines?.nodes[0]?.record;
  return node && { node, certs: lines.certs.map((l) => l.record) };
}

/**
 * The lines of the named nodes' records and of their certificates (inventory order), located in a
 * file `inventoryText` wrote, with the offset where a new certificate line goes (after the last);
 * names no node has are left out. Undefined when the file has no certificate list to add to.
 */
export function nodeLinesIn(file: Buffer, names: readonly string[]): { nodes: Array<RecordLine<NodeRecord>>; certs: Array<RecordLine<CertRecord>>; certsEnd: number } | undefined {
  const nodeList = listRange(file, 'nodes');
  // The certificates follow the nodes: the megabytes of node lines are scanned once, not twice.
  const certList = listRange(file, 'certs', nodeList ? nodeList[1] : 0);
  if (!certList) return undefined;
  const nodes = names.flatMap((name) => linesContaining<NodeRecord>(file, nodeList, `"name":${JSON.stringify(name)}`).filter((l) => l.record.name === name).slice(0, 1));
  const ids = new Set(nodes.map((l) => l.record.id));
  const certs = [...ids]
    .flatMap((id) => linesContaining<CertRecord>(file, certList, `"nodeId":${JSON.stringify(id)}`).filter((l) => l.record.nodeId === id))
    .sort((a, b) => a.start - b.start);
  return { nodes, certs, certsEnd: certList[1] - 1 };
}

/** The records of one short list ("cas", "roots") of a file `inventoryText` wrote, parsed; [] when it is empty or absent. */
export function listIn<T>(file: Buffer, key: string): T[] {
  const range = listRange(file, key);
  return range ? (JSON.parse(`[${file.toString('utf8', range[0], range[1])}]`) as T[]) : [];
}

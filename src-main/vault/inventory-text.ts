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

/** Byte range of one list's lines ("nodes", "certs") in a file `inventoryText` wrote; null when absent. */
function listRange(file: Buffer, key: string): [number, number] | null {
  const open = `\n${JSON.stringify(key)}: [\n`;
  const start = file.indexOf(open);
  if (start < 0) return null;
  const end = file.indexOf('\n]', start + open.length - 1);
  return end < 0 ? null : [start + open.length - 1, end + 1]; // from the newline before the first line to the one after the last
}

/** The records on the lines of a list that contain `needle`, parsed (one record a line, each but the last ending in ","). */
function recordsContaining<T>(file: Buffer, range: [number, number] | null, needle: string): T[] {
  const out: T[] = [];
  if (!range) return out;
  const [from, to] = range;
  for (let at = file.indexOf(needle, from); at >= 0 && at < to; at = file.indexOf(needle, at + 1)) {
    const start = file.lastIndexOf(0x0a, at) + 1;
    const end = file.indexOf(0x0a, at);
    if (end < 0) break;
    const line = file.toString('utf8', start, end);
    out.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line) as T);
    at = end;
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
  const node = recordsContaining<NodeRecord>(file, listRange(file, 'nodes'), `"name":${JSON.stringify(name)}`).find((n) => n.name === name);
  if (!node) return undefined;
  const certs = recordsContaining<CertRecord>(file, listRange(file, 'certs'), `"nodeId":${JSON.stringify(node.id)}`).filter((c) => c.nodeId === node.id);
  return { node, certs };
}

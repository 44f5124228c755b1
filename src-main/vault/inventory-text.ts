import type { Inventory } from './schema.ts';

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

import { caRecordSchema, certRecordSchema, inventorySchema, nodeRecordSchema, type Inventory } from './schema.ts';

/**
 * The schema check before every inventory write, paid for what changed only. Records are checked
 * one by one (the schema has no rule across records); a record whose JSON is that of a record in the
 * checked copy the transaction started from passes the schema unchanged, so only new or edited
 * records go through zod. At 10,000 nodes this is a few ms instead of most of a second.
 */
const LISTS = { cas: caRecordSchema, nodes: nodeRecordSchema, certs: certRecordSchema } as const;
type ListKey = keyof typeof LISTS;
const headSchema = inventorySchema.omit({ cas: true, nodes: true, certs: true });

/** The JSON of every record of an inventory that passed the schema. */
export function checkedRecords(inv: Inventory): Set<string> {
  const seen = new Set<string>();
  for (const key of Object.keys(LISTS) as ListKey[]) for (const r of inv[key]) seen.add(JSON.stringify(r));
  return seen;
}

/**
 * inventory.json for `inv`, checked: one record a line (diffs and `grep` stay readable), without
 * the indentation that made a 10,000-node file a quarter larger and slower to parse. Throws the
 * schema's error for the first record that fails.
 */
export function checkedInventoryText(inv: Inventory, checked: Set<string>): string {
  if (!(Object.keys(LISTS) as ListKey[]).every((k) => Array.isArray(inv[k]))) return inventoryText(inventorySchema.parse(inv));
  const head = headSchema.parse(inv);
  const lists = {} as Record<ListKey, string[]>;
  for (const key of Object.keys(LISTS) as ListKey[]) {
    const schema = LISTS[key];
    lists[key] = (inv[key] as unknown[]).map((r) => {
      const text = JSON.stringify(r);
      if (checked.has(text)) return text;
      const parsed = schema.safeParse(r);
      // A failure is rare: the whole check then throws the error with the record's path.
      if (!parsed.success) inventorySchema.parse(inv);
      return JSON.stringify(parsed.data);
    });
  }
  const { schema, ...rest } = head;
  return layout([['schema', JSON.stringify(schema)], ...(Object.keys(LISTS) as ListKey[]).map((k): [string, string[]] => [k, lists[k]]), ...Object.entries(rest).map(([k, v]): [string, string] => [k, JSON.stringify(v)])]);
}

/** The same layout for an inventory already checked whole. */
export function inventoryText(inv: Inventory): string {
  return layout(Object.entries(inv).map(([k, v]): [string, string | string[]] => [k, Array.isArray(v) ? v.map((r) => JSON.stringify(r)) : JSON.stringify(v)]));
}

function layout(fields: Array<[string, string | string[] | undefined]>): string {
  const parts = fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (Array.isArray(v) ? (v.length ? `${JSON.stringify(k)}: [\n${v.join(',\n')}\n]` : `${JSON.stringify(k)}: []`) : `${JSON.stringify(k)}: ${v}`));
  return `{\n${parts.join(',\n')}\n}\n`;
}

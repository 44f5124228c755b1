import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Schema 1 matched certificates to nodes by name, so a removed and re-added node inherited the old
 * node's certificate. Schema 2 gives each node an id and each certificate its node's id. The id of a
 * migrated node is derived from its name and creation time, so every read of an old vault agrees
 * (a transaction compares its fresh read with an earlier snapshot). A certificate joins the node of
 * its name only if it was issued after that node was created: one left by an earlier, removed node
 * of the same name stays in history and is nobody's current certificate.
 */
function fromV1(inv: Json): Json {
  const nodes = Array.isArray(inv.nodes) ? inv.nodes : [];
  const certs = Array.isArray(inv.certs) ? inv.certs : [];
  const migratedNodes = nodes.map((n) => {
    if (!isObject(n) || typeof n.name !== 'string' || typeof n.createdAt !== 'string') return n;
    return { id: createHash('sha256').update(`${n.name}\n${n.createdAt}`).digest('hex').slice(0, 16), ...n };
  });
  const migratedCerts = certs.map((c) => {
    if (!isObject(c)) return c;
    const owner = migratedNodes.find((n): n is Json => isObject(n) && n.name === c.node && typeof n.createdAt === 'string' && typeof c.issuedAt === 'string' && c.issuedAt >= n.createdAt);
    return owner ? { ...c, nodeId: owner.id } : c;
  });
  return { ...inv, schema: 2, nodes: migratedNodes, certs: migratedCerts };
}

/** Schema 3 adds the roots of two-tier CAs: an older vault has none (every CA is its own root). */
function fromV2(inv: Json): Json {
  return { ...inv, schema: 3, roots: [] };
}

/** Schema 4 records how each CA's node-key key is derived (`kek`); until then it was always scrypt (the default). */
function fromV3(inv: Json): Json {
  return { ...inv, schema: 4 };
}

/** Brings an inventory read from disk (or a backup) to the current schema; the schema check comes after. */
export function migrateInventory(raw: unknown): unknown {
  let inv = raw;
  if (isObject(inv) && inv.schema === 1) inv = fromV1(inv);
  if (isObject(inv) && inv.schema === 2) inv = fromV2(inv);
  if (isObject(inv) && inv.schema === 3) inv = fromV3(inv);
  return inv;
}

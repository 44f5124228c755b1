import { UserError } from '../errors.ts';
import type { NodeRecord } from '../vault/schema.ts';
import type { BundleFile, Profile } from './types.ts';
import { portOption } from './options.ts';
import { installPath } from './paths.ts';
import { headerLines, textFile } from './files.ts';

export const MAELSTROM_PRIVATE_PORT = 8374;
/** The folder inside the bundle that MAEL_PRIVATE_TLS_DIR names: only key pairs, nothing else to sort before them. */
/** The file name of a slot's pair on the node (and in listings). */
export const pairFileBase = (slot: 'a' | 'b' | 'c'): string => `server_${slot}`;

export const MAELSTROM_TLS_DIR = 'tls';

const privatePort = (node: NodeRecord): number | undefined => portOption(node, 'private_port');

/**
 * Seed 002: every node gets the same directory of key pairs; all are trusted and the
 * lexicographically smallest name (server_a) is the active one.
 */
export const maelstrom: Profile = {
  id: 'maelstrom',
  title: 'Maelstrom node (private port TLS)',
  server: true,
  client: true,
  loopback: false,
  defaultDest: '/etc/maelstrom',
  verifyPort: MAELSTROM_PRIVATE_PORT,
  verifyPortFor: (node) => privatePort(node) ?? MAELSTROM_PRIVATE_PORT,
  options: [{ key: 'private_port', help: 'MAEL_PRIVATE_PORT; only written when set', default: String(MAELSTROM_PRIVATE_PORT) }],
  checkOptions: (node) => void privatePort(node),
  async files(ctx) {
    if (!ctx.sharedKeyPairs) throw new UserError('internal', 'the maelstrom profile needs the vault to read its key pairs');
    const set = await ctx.sharedKeyPairs();
    if (!set) {
      throw new UserError('refused', `there are no Maelstrom key pairs yet for node "${ctx.node.name}"`, { cli: 'run `cluster-trust maelstrom rotate` once (it creates server_a, active, and server_b, next)', app: 'create them once on the Lifecycle screen (Maelstrom key pairs)' });
    }
    const files: BundleFile[] = [];
    for (const pair of set.pairs) {
      const base = `${MAELSTROM_TLS_DIR}/${pairFileBase(pair.slot)}`;
      const role = pair.slot === 'a' ? 'active' : pair.slot === 'b' ? 'next, trusted' : 'previous, trusted';
      files.push({ path: `${base}.crt`, content: pair.certPem, mode: 0o644, description: `Maelstrom certificate ${pair.slot} (${role})` });
      files.push({ path: `${base}.key`, content: pair.keyPem, mode: 0o600, description: `Maelstrom private key ${pair.slot} (${role})` });
    }
    const port = privatePort(ctx.node);
    files.push(textFile('maelstrom.env', [
      ...headerLines(ctx, `Maelstrom private port TLS (key set generation ${set.generation})`),
      `MAEL_PRIVATE_TLS_DIR=${installPath(ctx.installDir, MAELSTROM_TLS_DIR)}`,
      ...(port !== undefined ? [`MAEL_PRIVATE_PORT=${port}`] : []),
    ], 'MAEL_PRIVATE_TLS_DIR for maelstromd and maelctl'));
    return files;
  },
};

import { buildNodeRecord, findNode, sshTargetText } from './nodes.ts';
import { UserError, invalid } from '../errors.ts';
import type { CoreContext } from './context.ts';
import type { NodeRecord } from '../vault/schema.ts';

/** What to set on every chosen node; undefined keeps each node's own, '' clears (key file, folder). */
export interface SshSettingsInput {
  /** The SSH user: each node keeps its host and port (a node without a target gets its first address). */
  user?: string;
  keyFile?: string;
  dest?: string;
}

/** `user@host[:port]` for a node: its own host and port, or its first IP (else DNS name) on port 22. */
function targetFor(node: NodeRecord, user: string): string {
  const host = node.ssh?.host ?? node.ips[0] ?? node.dns[0];
  if (!host) throw invalid(`node "${node.name}" has no address to log in to: give it an SSH target first`);
  return sshTargetText({ user, host, port: node.ssh?.port ?? 22 });
}

/**
 * SSH user, key file and destination folder for many nodes at once, in one transaction (all or
 * none; each refusal names its node). Every value is checked as `node edit` checks it. Main's push
 * confirmation sees the changed settings like any other edit and asks before the next push.
 */
export async function setSshSettings(ctx: CoreContext, names: readonly string[], input: SshSettingsInput): Promise<NodeRecord[]> {
  const wanted = [...new Set(names)];
  if (wanted.length === 0) throw invalid('name the nodes to change');
  if (input.user === undefined && input.keyFile === undefined && input.dest === undefined) throw invalid('give --user, --ssh-key or --dest', 'set a user, a key or a folder');
  const now = ctx.now().toISOString();
  return ctx.vault.update((inv) =>
    wanted.map((name) => {
      const previous = findNode(inv, name);
      try {
        const next = buildNodeRecord({ name, ...(input.user !== undefined ? { ssh: targetFor(previous, input.user) } : {}), ...(input.keyFile !== undefined ? { sshKey: input.keyFile } : {}), ...(input.dest !== undefined ? { dest: input.dest } : {}) }, now, previous);
        inv.nodes[inv.nodes.indexOf(previous)] = next;
        return next;
      } catch (err) {
        if (err instanceof UserError && !err.message.includes(`"${name}"`)) throw new UserError(err.code, `node "${name}": ${err.message}`, `node "${name}": ${err.appMessage}`);
        throw err;
      }
    }),
  );
}

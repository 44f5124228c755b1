import { UserError } from '../errors.ts';
import type { CoreContext } from '../core/context.ts';
import type { HostKeyInfo } from '../ssh/index.ts';
import { describePushSettings, pushSettingsView, type PushApprovals, type PushSettingsView } from './push-approvals.ts';
import type { Host } from './host.ts';

/** Nodes listed in one dialog at most; the rest are counted. */
const LISTED = 12;

/**
 * Before a push sends any key: one native dialog in main for every node whose push settings (target,
 * destination, owner, restart command) changed since the user last confirmed them. Cancel refuses
 * the whole push with nothing sent. The page cannot answer or skip it.
 */
export async function confirmPushSettings(host: Host, approvals: PushApprovals, ctx: CoreContext, names: string[]): Promise<void> {
  const wanted = new Set(names);
  const views = ctx.vault
    .read()
    .nodes.filter((n) => wanted.has(n.name))
    .map(pushSettingsView)
    .filter((v): v is PushSettingsView => v !== null);
  const changed = approvals.unconfirmed(ctx.vault.home, views);
  if (changed.length === 0) return;
  const listed = changed.slice(0, LISTED).map(describePushSettings);
  if (changed.length > LISTED) listed.push(`… and ${changed.length - LISTED} more`);
  const ok = await host.confirm({
    title: 'Confirm push settings',
    message: `Send the node key${changed.length > 1 ? 's' : ''} and run these commands on ${changed.length} node${changed.length > 1 ? 's' : ''} with new push settings?`,
    detail: `${listed.join('\n')}\n\nEach node's private key is copied to this host, and the command runs there. Push only if you set these yourself.`,
    okLabel: 'Push',
  });
  if (!ok) {
    throw new UserError('cancelled', `push cancelled: the new push settings of ${changed.map((v) => v.node).join(', ')} were not confirmed; nothing was sent`);
  }
  approvals.confirm(ctx.vault.home, changed);
}

/**
 * Accepting a new host key: only one the page asked about (that node, that exact fingerprint), and
 * only once the user confirmed it in a native dialog, asked one after the other before any
 * connection opens (so no SSH timer runs while the user compares fingerprints). Returns the check
 * the connections use: the presented key must be a confirmed one for that node.
 */
export async function confirmHostKeys(host: Host, ctx: CoreContext, names: string[], asked: Array<{ node: string; fingerprint: string }>): Promise<(info: HostKeyInfo) => boolean> {
  const nodes = new Map(ctx.vault.read().nodes.map((n) => [n.name, n]));
  const confirmed = new Set<string>();
  const key = (node: string, fingerprint: string): string => `${node}\n${fingerprint}`;
  for (const { node, fingerprint } of asked) {
    const target = nodes.get(node)?.ssh;
    if (!names.includes(node) || !target || confirmed.has(key(node, fingerprint))) continue;
    const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const ok = await host.confirm({
      title: 'Trust this SSH host key?',
      message: `Trust the host key of ${where} for node ${node}?`,
      detail: `${fingerprint}\n\nCompare it with \`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\` on the node. Once trusted, the node's key is sent to this host.`,
      okLabel: 'Trust',
    });
    if (ok) confirmed.add(key(node, fingerprint));
  }
  return (info) => confirmed.has(key(info.node, info.fingerprint));
}

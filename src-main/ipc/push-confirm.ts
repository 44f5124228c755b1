import { UserError } from '../core/errors.ts';
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
 * only after the user confirms it in a native dialog. Dialogs from parallel connections take turns.
 */
export function hostKeyConfirmer(host: Host, asked: Array<{ node: string; fingerprint: string }>): (info: HostKeyInfo) => Promise<boolean> {
  let queue: Promise<unknown> = Promise.resolve();
  return (info) => {
    if (!asked.some((k) => k.node === info.node && k.fingerprint === info.fingerprint)) return Promise.resolve(false);
    const answer = queue.then(() =>
      host.confirm({
        title: 'Trust this SSH host key?',
        message: `Trust the host key of ${info.host}:${info.port} for node ${info.node}?`,
        detail: `${info.keyType} ${info.fingerprint}\n\nCompare it with \`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\` on the node. Once trusted, the node's key is sent to this host.`,
        okLabel: 'Trust',
      }),
    );
    queue = answer.catch(() => false);
    return answer;
  };
}

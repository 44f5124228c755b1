import { removeNodes, type RemovedNode } from '../../lifecycle/remove-node.ts';
import { restoreNodes } from '../../lifecycle/restore-node.ts';
import { setSshSettings } from '../../core/ssh-settings.ts';
import { RemovedNodes } from '../removed-nodes.ts';
import { addNodes, editNode, findNode, certHistory, latestCert, sshTargetText, type NodeInput } from '../../core/nodes.ts';
import { UserError } from '../../errors.ts';
import { warnDaysOf } from '../../core/status.ts';
import { PickedFiles } from '../picked-files.ts';
import { getProfile, verifyPortOf } from '../../profiles/index.ts';
import { inspectKeyFile } from '../../ssh/auth.ts';
import type { NodeRecord } from '../../vault/schema.ts';
import { nodeRows, certSummary, certDetail } from '../views.ts';
import { cachedView, viewRevision } from '../view-cache.ts';
import type { NodeDraft, NodePushSettings, NodeRow, NodesInvoke, RemovedNodesView } from '../contract.ts';
import type { Host } from '../host.ts';
import type { HandlerSection } from './types.ts';

function pushSettings(node: NodeRecord): NodePushSettings {
  const profile = getProfile(node.profile);
  const { ssh } = node;
  return {
    ssh: ssh ? sshTargetText(ssh) : null,
    sshKey: ssh?.keyFile ?? null,
    dest: node.dest ?? null,
    defaultDest: profile.defaultDest,
    restart: node.restart ?? null,
    verifyPort: node.verifyPort ?? null,
    defaultVerifyPort: verifyPortOf({ ...node, verifyPort: undefined }) ?? null,
    owner: node.owner ?? null,
    trustCa: node.trustCa ?? false,
    keyOnNode: node.keyOnNode ?? false,
  };
}

function toInput(d: NodeDraft, picked: PickedFiles): NodeInput {
  return {
    name: d.name,
    dns: d.dns,
    ips: d.ips,
    ...(d.profile !== undefined ? { profile: d.profile } : {}),
    ...(d.server !== undefined ? { server: d.server } : {}),
    ...(d.client !== undefined ? { client: d.client } : {}),
    ...(d.keyType !== undefined ? { keyType: d.keyType } : {}),
    ...(d.options !== undefined ? { options: d.options } : {}),
    ...(d.ssh !== undefined ? { ssh: d.ssh } : {}),
    ...(d.sshKeyToken !== undefined ? { sshKey: d.sshKeyToken === '' ? '' : picked.get(d.sshKeyToken, 'ssh-key').path } : {}),
    ...(d.dest !== undefined ? { dest: d.dest } : {}),
    ...(d.restart !== undefined ? { restart: d.restart } : {}),
    ...(d.verifyPort !== undefined ? { verifyPort: d.verifyPort } : {}),
    ...(d.owner !== undefined ? { owner: d.owner } : {}),
    ...(d.trustCa !== undefined ? { trustCa: d.trustCa } : {}),
    ...(d.keyOnNode !== undefined ? { keyOnNode: d.keyOnNode } : {}),
  };
}

export function nodeHandlers(host: Host, picked = new PickedFiles(), removedNodes = new RemovedNodes()): HandlerSection<NodesInvoke> {
  // The removed records stay here, in main, for the undo window: the page only ever holds the token.
  const removedView = (removed: RemovedNode[]): RemovedNodesView => ({
    removed: removed.map((r) => r.node),
    revoked: removed.flatMap((r) => (r.cert?.revoked ? [r.node] : [])),
    undoToken: removedNodes.put(removed),
    undoSeconds: removedNodes.undoSeconds,
  });
  const rowsFor = (names: string[]): NodeRow[] => {
    const ctx = host.context();
    return nodeRows(ctx.vault.read(), ctx.now(), new Set(names), warnDaysOf(ctx));
  };
  return {
    listNodes: () => {
      const ctx = host.context();
      const inv = ctx.vault.read();
      const now = ctx.now();
      const warnDays = warnDaysOf(ctx);
      return cachedView(inv, 'nodes', now, warnDays, () => nodeRows(inv, now, undefined, warnDays));
    },
    nodesRevision: () => {
      const ctx = host.context();
      return viewRevision(ctx.vault.read(), ctx.now(), warnDaysOf(ctx));
    },
    getNode: ({ name }) => {
      const ctx = host.context();
      const inv = ctx.vault.read();
      const node = findNode(inv, name);
      const row = nodeRows(inv, ctx.now(), new Set([name]), warnDaysOf(ctx))[0]!;
      const latest = latestCert(inv, name);
      return {
        node: row,
        push: pushSettings(node),
        current: latest ? certDetail(ctx, latest) : null,
        history: certHistory(inv, name).map((c) => certSummary(c, ctx.now(), warnDaysOf(ctx))),
      };
    },
    addNodes: async ({ nodes }) => {
      const added = await addNodes(host.context(), nodes.map((d) => toInput(d, picked)));
      return rowsFor(added.map((n) => n.name));
    },
    editNode: async (draft) => {
      const edited = await editNode(host.context(), toInput(draft, picked));
      const row = rowsFor([edited.name])[0];
      if (!row) throw new UserError('internal', `node "${edited.name}" vanished after editing`);
      return row;
    },
    removeNode: async ({ name, cert }) => removedView(await removeNodes(host.context(), [name], cert ? { cert } : {})),
    removeNodes: async ({ names, cert }) => removedView(await removeNodes(host.context(), names, cert ? { cert } : {})),
    undoRemove: async ({ token }) => {
      const restored = await restoreNodes(host.context(), removedNodes.take(token));
      return { restored: restored.map((r) => r.node), stillRevoked: restored.flatMap((r) => (r.revoked ? [r.node] : [])) };
    },
    setSshSettings: async ({ names, user, sshKeyToken, dest }) => {
      const keyFile = sshKeyToken === undefined ? undefined : sshKeyToken === '' ? '' : picked.get(sshKeyToken, 'ssh-key').path;
      const nodes = await setSshSettings(host.context(), names, { ...(user !== undefined ? { user } : {}), ...(keyFile !== undefined ? { keyFile } : {}), ...(dest !== undefined ? { dest } : {}) });
      return rowsFor(nodes.map((n) => n.name));
    },
    pickSshKey: async () => {
      const path = await host.chooseOpenPath({ title: 'Choose the SSH private key for this node', filters: [{ name: 'All files', extensions: ['*'] }] });
      if (!path) return { picked: false };
      // Checked now, so a public key or a random file is refused when chosen, not at push time.
      const { encrypted } = inspectKeyFile(path);
      return { picked: true, token: picked.put({ kind: 'ssh-key', path }), path, encrypted };
    },
  };
}

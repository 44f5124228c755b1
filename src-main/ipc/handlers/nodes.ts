import { addNodes, editNode, removeNode, findNode, certHistory, latestCert, type NodeInput } from '../../core/nodes.ts';
import { UserError } from '../../core/errors.ts';
import { nodeRows, certSummary, certDetail } from '../views.ts';
import type { NodeDraft, NodeRow } from '../contract.ts';
import type { Host } from '../host.ts';
import type { HandlerSection } from './types.ts';

function toInput(d: NodeDraft): NodeInput {
  return {
    name: d.name,
    dns: d.dns,
    ips: d.ips,
    ...(d.profile !== undefined ? { profile: d.profile } : {}),
    ...(d.server !== undefined ? { server: d.server } : {}),
    ...(d.client !== undefined ? { client: d.client } : {}),
    ...(d.keyType !== undefined ? { keyType: d.keyType } : {}),
    ...(d.options !== undefined ? { options: d.options } : {}),
  };
}

export function nodeHandlers(host: Host): HandlerSection<'listNodes' | 'getNode' | 'addNodes' | 'editNode' | 'removeNode'> {
  const rowsFor = (names: string[]): NodeRow[] => {
    const ctx = host.context();
    return nodeRows(ctx.vault.read(), ctx.now(), new Set(names));
  };
  return {
    listNodes: () => {
      const ctx = host.context();
      return nodeRows(ctx.vault.read(), ctx.now());
    },
    getNode: ({ name }) => {
      const ctx = host.context();
      const inv = ctx.vault.read();
      findNode(inv, name);
      const row = nodeRows(inv, ctx.now(), new Set([name]))[0]!;
      const latest = latestCert(inv, name);
      return {
        node: row,
        current: latest ? certDetail(ctx, latest) : null,
        history: certHistory(inv, name).map((c) => certSummary(c, ctx.now())),
      };
    },
    addNodes: async ({ nodes }) => {
      const added = await addNodes(host.context(), nodes.map(toInput));
      return rowsFor(added.map((n) => n.name));
    },
    editNode: async (draft) => {
      const edited = await editNode(host.context(), toInput(draft));
      const row = rowsFor([edited.name])[0];
      if (!row) throw new UserError('internal', `node "${edited.name}" vanished after editing`);
      return row;
    },
    removeNode: async ({ name }) => {
      await removeNode(host.context(), name);
      return null;
    },
  };
}

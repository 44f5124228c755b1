import type { AppInfo, CaView, IssuedCert, MenuCommand, NodeRow } from '../../src-main/ipc/contract.ts';
import { call, messageOf } from './api.ts';
import { ProgressJob } from './progress-job.svelte.ts';
import type { SectionId } from './sections.ts';

export type Modal =
  | { kind: 'add-node' }
  | { kind: 'edit-node'; name: string; section?: 'push' }
  | { kind: 'bulk-add' }
  | { kind: 'remove-node'; name: string }
  | { kind: 'export'; name: string }
  | { kind: 'shortcuts' }
  | null;

export interface IssueJob {
  id: string;
  names: string[];
  done: number;
  total: number;
  current: string;
  running: boolean;
  error: string | null;
  issued: IssuedCert[];
}

/**
 * The app's shared state. Views read it; only the functions below change it. The node list is
 * raw state: replaced whole on each refresh, never changed in place, so 10,000 rows cost one signal
 * instead of a proxy and a signal per field of every row (seconds of work on each load).
 */
class AppState {
  loaded = $state(false);
  loadError = $state<string | null>(null);
  info = $state<AppInfo | null>(null);
  ca = $state<CaView | null>(null);
  nodes = $state.raw<NodeRow[]>([]);
  nodesError = $state<string | null>(null);
  section = $state<SectionId>('nodes');
  /** The node whose detail page is open (in the Nodes section). */
  detail = $state<string | null>(null);
  modal = $state<Modal>(null);
  selected = $state<string[]>([]);
  job = $state<IssueJob | null>(null);
  /** A CSR dropped on the window, waiting in the Sign a CSR screen. */
  droppedCsr = $state<{ fileName: string; pem: string } | null>(null);
  /** Bumped after changes so views that load their own data (node detail) reload. */
  revision = $state(0);
}

export const app = new AppState();

export async function loadAll(): Promise<void> {
  try {
    const [info, ca] = await Promise.all([call('getAppInfo'), call('getCa')]);
    app.info = info;
    app.ca = ca;
    app.loadError = null;
    if (ca) await refreshNodes();
  } catch (err) {
    app.loadError = messageOf(err);
  } finally {
    app.loaded = true;
  }
}

export async function refreshCa(): Promise<void> {
  app.ca = await call('getCa');
}

export async function refreshNodes(): Promise<void> {
  try {
    app.nodes = await call('listNodes');
    app.nodesError = null;
    const names = new Set(app.nodes.map((n) => n.name));
    app.selected = app.selected.filter((n) => names.has(n));
  } catch (err) {
    app.nodesError = messageOf(err);
  }
  app.revision++;
}

export function go(section: SectionId): void {
  app.section = section;
  app.detail = null;
}

export function openNode(name: string): void {
  app.section = 'nodes';
  app.detail = name;
}

const issuing = new ProgressJob('issue');

/** Issues (or renews) certificates for nodes; progress arrives from main as it goes. */
export async function issue(names: string[], days?: number): Promise<IssuedCert[] | null> {
  // A job of its own per run: what app.job shows is always the newest run, whichever finishes first.
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  app.job = { id, names, done: 0, total: names.length, current: '', running: true, error: null, issued: [] };
  try {
    const issued = await issuing.run(
      (jobId) => call('issueCerts', { names, jobId, ...(days !== undefined ? { days } : {}) }),
      (follow) =>
        follow('issueProgress', (p) => {
          if (app.job?.id !== id) return;
          app.job.done = p.done;
          app.job.total = p.total;
          app.job.current = p.node;
        }),
    );
    if (app.job?.id === id) {
      app.job.issued = issued;
      app.job.done = app.job.total;
    }
    return issued;
  } catch (err) {
    if (app.job?.id === id) app.job.error = messageOf(err);
    return null;
  } finally {
    if (app.job?.id === id) app.job.running = false;
    await refreshNodes();
  }
}

/** Opens the shortcut list (over nothing else: a dialog in progress keeps the screen). */
export function showShortcuts(): void {
  if (!app.modal) app.modal = { kind: 'shortcuts' };
}

export function handleMenu(command: MenuCommand): void {
  if (!app.ca) return; // first run: nothing to jump to yet
  if (command.startsWith('show-')) go(command.slice('show-'.length) as SectionId);
  else if (command === 'shortcuts') showShortcuts();
  else if (command === 'sign-csr') go('csr');
  else if (command === 'add-node') {
    go('nodes');
    app.modal = { kind: 'add-node' };
  } else if (command === 'bulk-add') {
    go('nodes');
    app.modal = { kind: 'bulk-add' };
  }
}

import type { AppInfo, CaView, IssuedCert, MenuCommand, NodeRow, RemovedNodesView } from '../../src-main/ipc/contract.ts';
import { call, messageOf } from './api.ts';
import { ProgressJob } from './progress-job.svelte.ts';
import type { SectionId } from './sections.ts';

export type Modal =
  | { kind: 'add-node' }
  | { kind: 'edit-node'; name: string; section?: 'push' }
  | { kind: 'bulk-add' }
  | { kind: 'remove-node'; name: string }
  | { kind: 'bulk-remove'; names: string[] }
  | { kind: 'bulk-export'; names: string[] }
  | { kind: 'bulk-ssh'; names: string[] }
  | { kind: 'export'; name: string }
  | { kind: 'shortcuts' }
  | { kind: 'help' }
  | null;

/** A short message at the foot of the window: what just happened, a warning, an Undo. */
export interface Notice {
  id: number;
  tone: 'info' | 'warn';
  text: string;
  /** Lines under the text (e.g. each shared address). */
  lines: string[];
  action: { label: string; run: () => void | Promise<void> } | null;
}

export interface IssueJob {
  id: string;
  /** issue: issueCerts (new or renewed, by the vault); renew: the lifecycle renew path. */
  kind: 'issue' | 'renew';
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
  notice = $state<Notice | null>(null);
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

/** The revision (nodesRevision) the rows in app.nodes came with, and the load under way, if any. */
let nodesRevision: string | null = null;
let nodesLoading: Promise<void> | null = null;

export function refreshNodes(): Promise<void> {
  const load = (async () => {
    try {
      // The revision first: a change landing between the two calls then only costs one more reload.
      const [revision, rows] = await Promise.all([call('nodesRevision'), call('listNodes')]);
      app.nodes = rows;
      nodesRevision = revision;
      app.nodesError = null;
      const names = new Set(app.nodes.map((n) => n.name));
      app.selected = app.selected.filter((n) => names.has(n));
    } catch (err) {
      nodesRevision = null;
      app.nodesError = messageOf(err);
    }
    app.revision++;
  })();
  nodesLoading = load;
  void load.finally(() => {
    if (nodesLoading === load) nodesLoading = null;
  });
  return load;
}

/**
 * Back in the window: the list again only if the vault (or the minute's states) changed meanwhile,
 * e.g. through the command line. At 10,000 nodes a reload is 3.6 MB of rows to parse and draw, and
 * a window gets focus events in bursts (two as it first opens, while its first list is loading).
 */
export async function refreshNodesIfChanged(): Promise<void> {
  while (nodesLoading) await nodesLoading;
  try {
    if ((await call('nodesRevision')) === nodesRevision) return;
  } catch {
    // Main could not say: reload, and show its error where the list is.
  }
  if (!nodesLoading) await refreshNodes();
}

export function go(section: SectionId): void {
  app.section = section;
  app.detail = null;
}

export function openNode(name: string): void {
  app.section = 'nodes';
  app.detail = name;
}

let noticeCounter = 0;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;

/** Shows a notice (replacing any other); it goes by itself after `ms`, or stays until dismissed. */
export function showNotice(notice: Omit<Notice, 'id' | 'lines' | 'action'> & Partial<Pick<Notice, 'lines' | 'action'>>, ms?: number): number {
  const id = ++noticeCounter;
  app.notice = { id, lines: [], action: null, ...notice };
  clearTimeout(noticeTimer);
  if (ms !== undefined) noticeTimer = setTimeout(() => dismissNotice(id), ms);
  return id;
}

/** Dismisses the notice `id` (or whichever is shown); a newer notice stays. */
export function dismissNotice(id?: number): void {
  if (id === undefined || app.notice?.id === id) app.notice = null;
}

/** After an add or edit: the addresses these nodes share with others, as one warning (not a refusal). */
export function warnSharedIps(rows: NodeRow[]): void {
  const lines = new Map<string, string>();
  for (const r of rows) for (const s of r.sharedIps) lines.set(s.ip, `${s.ip} is also the address of ${s.nodes.join(', ')}`);
  if (!lines.size) return;
  showNotice({ tone: 'warn', text: 'Saved. Some addresses are used by more than one node: fine for a shared virtual IP, otherwise correct them.', lines: [...lines.values()].slice(0, 10) });
}

const issuing = new ProgressJob('issue');
const renewing = new ProgressJob('renew');

/**
 * One bulk job shown in app.job (issue or renew): a job of its own per run, so what app.job shows is
 * always the newest run, whichever finishes first; progress events of that job only.
 */
async function runShownJob<T>(
  kind: IssueJob['kind'],
  names: string[],
  job: ProgressJob,
  start: (jobId: string) => Promise<T>,
  issuedOf: (result: T) => IssuedCert[],
): Promise<T | null> {
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  app.job = { id, kind, names, done: 0, total: names.length, current: '', running: true, error: null, issued: [] };
  try {
    const result = await job.run(start, (follow) =>
      follow(kind === 'issue' ? 'issueProgress' : 'lifecycleProgress', (p) => {
        if (app.job?.id !== id) return;
        app.job.done = p.done;
        app.job.total = p.total;
        app.job.current = p.node;
      }),
    );
    if (app.job?.id === id) {
      app.job.issued = issuedOf(result);
      app.job.done = app.job.total;
    }
    return result;
  } catch (err) {
    if (app.job?.id === id) app.job.error = messageOf(err);
    return null;
  } finally {
    if (app.job?.id === id) app.job.running = false;
    await refreshNodes();
  }
}

/** Issues (or renews) certificates for nodes; progress arrives from main as it goes. */
export function issue(names: string[], days?: number): Promise<IssuedCert[] | null> {
  return runShownJob('issue', names, issuing, (jobId) => call('issueCerts', { names, jobId, ...(days !== undefined ? { days } : {}) }), (issued) => issued);
}

/** Renews certificates of nodes that have one, through the lifecycle renew path; progress from main. */
export async function renew(names: string[]): Promise<boolean> {
  const renewed = await runShownJob('renew', names, renewing, (jobId) => call('renewNodes', { names, jobId }), (r) =>
    r.map((c) => ({ node: c.node, serial: c.serial, fingerprint: '', notAfter: c.notAfter, dns: [], ips: [] })),
  );
  return renewed !== null;
}

const named = (names: string[]): string => (names.length === 1 ? names[0]! : names.length <= 3 ? names.join(', ') : `${names.length} nodes`);

/**
 * After a remove: "Removed db1" with Undo for as long as main keeps the records. A revoked
 * certificate cannot be un-revoked: the notice says so and offers to re-add the node instead.
 */
export function noticeRemoved(view: RemovedNodesView): void {
  const revoked = view.revoked.length > 0;
  const text = revoked
    ? `Removed ${named(view.removed)} and revoked ${view.revoked.length === 1 ? `the certificate of ${view.revoked[0]}` : `${view.revoked.length} certificates`}. A revocation cannot be undone: Re-add brings the node${view.removed.length === 1 ? '' : 's'} back, to be issued a new certificate.`
    : `Removed ${named(view.removed)}`;
  // Shown a little shorter than main keeps the records, so an Undo clicked at the end still finds them.
  showNotice({ tone: 'info', text, action: { label: revoked ? 'Re-add' : 'Undo', run: () => undoRemove(view) } }, Math.max(1, view.undoSeconds - 1) * 1000);
}

async function undoRemove(view: RemovedNodesView): Promise<void> {
  try {
    const r = await call('undoRemove', { token: view.undoToken });
    await refreshNodes();
    if (r.stillRevoked.length) {
      const names = r.stillRevoked;
      showNotice({ tone: 'warn', text: `${named(r.restored)} ${r.restored.length === 1 ? 'is' : 'are'} back; the certificate of ${named(names)} stays revoked: issue a new one.`, action: { label: 'Issue now', run: async () => { dismissNotice(); await issue(names); } } });
    } else {
      showNotice({ tone: 'info', text: `Restored ${named(r.restored)}` }, 6000);
    }
  } catch (err) {
    showNotice({ tone: 'warn', text: messageOf(err) });
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
  else if (command === 'help') {
    if (!app.modal) app.modal = { kind: 'help' };
  }
  else if (command === 'sign-csr') go('csr');
  else if (command === 'add-node') {
    go('nodes');
    app.modal = { kind: 'add-node' };
  } else if (command === 'bulk-add') {
    go('nodes');
    app.modal = { kind: 'bulk-add' };
  }
}

/**
 * Renderer components and stores in jsdom, against a fake of the IPC contract (fake-api.ts): what
 * the user sees while typing, what each action sends to main, and how answers and events show.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { tick } from 'svelte';
import StateBadge from '../../src-renderer/components/StateBadge.svelte';
import NodeForm from '../../src-renderer/views/NodeForm.svelte';
import BulkAdd from '../../src-renderer/views/BulkAdd.svelte';
import NodesView from '../../src-renderer/views/NodesView.svelte';
import PushView from '../../src-renderer/views/PushView.svelte';
import ExportDialog from '../../src-renderer/views/ExportDialog.svelte';
import FirstRun from '../../src-renderer/views/FirstRun.svelte';
import SignCsr from '../../src-renderer/views/SignCsr.svelte';
import RemoveNode from '../../src-renderer/views/RemoveNode.svelte';
import App from '../../src-renderer/App.svelte';
import SshKeyPrompt from '../../src-renderer/components/SshKeyPrompt.svelte';
import { useApi } from '../../src-renderer/lib/api.ts';
import { app, issue } from '../../src-renderer/lib/state.svelte.ts';
import { CA, INFO, fail, fakeApi, row } from './fake-api.ts';

function resetApp() {
  Object.assign(app, {
    loaded: true,
    loadError: null,
    info: structuredClone(INFO),
    ca: structuredClone(CA),
    nodes: [],
    nodesError: null,
    section: 'nodes',
    detail: null,
    modal: null,
    selected: [],
    job: null,
    droppedCsr: null,
    revision: 0,
  });
}

async function type(el: HTMLElement, value: string) {
  (el as HTMLInputElement).value = value;
  await fireEvent.input(el);
}

beforeEach(() => resetApp());
afterEach(() => {
  cleanup();
  useApi(null);
});

describe('StateBadge', () => {
  test.each([
    ['ok', 'ok', 'Valid', '· 300 days left'],
    ['renew', 'warn', 'Renew soon', '· 20 days left'],
    ['expired', 'bad', 'Expired', '· expired 3 days ago'],
    ['none', 'none', 'No certificate', ''],
  ] as const)('%s is shown in the %s tone', (state, tone, label, days) => {
    const { container } = render(StateBadge, { state, days: state === 'expired' ? -3 : state === 'renew' ? 20 : state === 'ok' ? 300 : null });
    const badge = container.querySelector('[data-state]')!;
    expect(badge.getAttribute('data-tone')).toBe(tone);
    expect(badge.className).toContain(`tone-${tone}`);
    expect(badge.textContent).toContain(label);
    if (days) expect(badge.textContent).toContain(days);
  });
});

describe('NodeForm', () => {
  test('checks addresses as the user types and only sends a valid node', async () => {
    const fake = fakeApi({ addNodes: ({ nodes }) => nodes.map((n) => row(n.name)), listNodes: () => [row('web1')] });
    useApi(fake.api);
    let closed = false;
    render(NodeForm, { onclose: () => (closed = true) });
    const save = screen.getByTestId('save-node') as HTMLButtonElement;
    await type(screen.getByLabelText('Name'), 'web1');
    await type(screen.getByLabelText('IP addresses'), '10.0.0.1, 10.0.0.300');
    expect(screen.getByTestId('ip-problem').textContent).toBe('"10.0.0.300" is not a valid IP address');
    expect(save.disabled).toBe(true);
    await type(screen.getByLabelText('DNS names'), 'web1.internal, bad_label.x');
    expect(screen.getByTestId('dns-problem').textContent).toContain('invalid label "bad_label"');
    await type(screen.getByLabelText('IP addresses'), '10.0.0.1 fd00::1');
    await type(screen.getByLabelText('DNS names'), 'web1.internal');
    expect(screen.queryByTestId('ip-problem')).toBeNull();
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    await waitFor(() => expect(closed).toBe(true));
    const sent = fake.calls.find((c) => c.channel === 'addNodes')!.request;
    expect(sent).toEqual({ nodes: [{ name: 'web1', profile: 'generic-server', ips: ['10.0.0.1', 'fd00::1'], dns: ['web1.internal'], server: true, client: false }] });
  });

  test('a name already in the list is refused before sending; an error from main shows in the form and keeps the input', async () => {
    app.nodes = [row('taken')];
    const fake = fakeApi({ addNodes: () => fail('conflict', 'a node named "racer" already exists') });
    useApi(fake.api);
    render(NodeForm, { onclose: () => {} });
    await type(screen.getByLabelText('Name'), 'taken');
    expect(screen.getByTestId('name-problem').textContent).toContain('already exists');
    await type(screen.getByLabelText('Name'), 'racer');
    await type(screen.getByLabelText('IP addresses'), '10.0.0.9');
    await fireEvent.click(screen.getByTestId('save-node'));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('a node named "racer" already exists'));
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('racer');
    expect((screen.getByLabelText('IP addresses') as HTMLInputElement).value).toBe('10.0.0.9');
  });

  test('editing sends the whole node under its fixed name', async () => {
    app.nodes = [row('db1', { ips: ['10.0.0.5'], dns: ['db1.internal'], client: true })];
    const fake = fakeApi({ editNode: (d) => row(d.name), listNodes: () => app.nodes });
    useApi(fake.api);
    render(NodeForm, { editing: app.nodes[0]!, onclose: () => {} });
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    await type(screen.getByLabelText('IP addresses'), '10.0.0.5, 10.0.0.6');
    await fireEvent.click(screen.getByTestId('save-node'));
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'editNode')).toBe(true));
    expect(fake.calls.find((c) => c.channel === 'editNode')!.request).toEqual({ name: 'db1', profile: 'generic-server', ips: ['10.0.0.5', '10.0.0.6'], dns: ['db1.internal'], server: true, client: true });
  });
});

describe('NodeForm push settings', () => {
  const push = { ssh: 'deploy@10.0.0.5:2222', sshKey: '/home/u/.ssh/db1', dest: null, defaultDest: '/etc/cluster-trust', restart: 'systemctl reload db', verifyPort: null, defaultVerifyPort: 443, owner: 'db:db', trustCa: false, keyOnNode: false };

  /** db1 with the push settings above, in an edit form. */
  const editingDb1 = () => {
    app.nodes = [row('db1', { ips: ['10.0.0.5'] })];
    const fake = fakeApi({
      getNode: () => ({ node: app.nodes[0]!, push, current: null, history: [] }),
      getNodeFiles: () => ({ node: 'db1', profile: 'generic-server', profileTitle: 'Generic', installDir: '/etc', verifyPort: null, files: [], filesError: null, options: [] }),
      getProfileOptions: () => [],
      editNode: (d) => row(d.name),
      listNodes: () => app.nodes,
    });
    useApi(fake.api);
    return fake;
  };

  test('sends only the push settings that changed; clearing one sends \'\'', async () => {
    const fake = editingDb1();
    render(NodeForm, { editing: app.nodes[0]!, onclose: () => {} });
    await waitFor(() => expect((screen.getByLabelText('SSH target') as HTMLInputElement).value).toBe('deploy@10.0.0.5:2222'));
    expect(screen.getByTestId('ssh-key-shown').textContent).toBe('/home/u/.ssh/db1');
    await type(screen.getByLabelText('Files owned by'), '');
    await type(screen.getByLabelText('Check TLS on port'), '8443');
    await fireEvent.click(screen.getByText('Use ssh-agent'));
    await fireEvent.click(screen.getByTestId('save-node'));
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'editNode')).toBe(true));
    const sent = fake.calls.find((c) => c.channel === 'editNode')!.request as Record<string, unknown>;
    expect(sent).toMatchObject({ name: 'db1', owner: '', verifyPort: 8443, sshKeyToken: '' });
    expect(sent).not.toHaveProperty('ssh');
    expect(sent).not.toHaveProperty('restart');
    expect(sent).not.toHaveProperty('trustCa');
  });

  test('"Key made on the node" is loaded, and sent only when it changed', async () => {
    const fake = editingDb1();
    render(NodeForm, { editing: app.nodes[0]!, onclose: () => {} });
    await waitFor(() => expect((screen.getByLabelText('SSH target') as HTMLInputElement).value).toBe('deploy@10.0.0.5:2222'));
    const box = screen.getByTestId('node-key-on-node') as HTMLInputElement;
    expect(box.checked).toBe(false);
    await fireEvent.click(box);
    await fireEvent.click(screen.getByTestId('save-node'));
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'editNode')).toBe(true));
    expect(fake.calls.find((c) => c.channel === 'editNode')!.request).toMatchObject({ name: 'db1', keyOnNode: true });
  });

  test('a malformed SSH target or port blocks saving before anything is sent', async () => {
    const fake = fakeApi({ getProfileOptions: () => [] });
    useApi(fake.api);
    render(NodeForm, { onclose: () => {} });
    await type(screen.getByLabelText('Name'), 'n1');
    await type(screen.getByLabelText('IP addresses'), '10.0.0.1');
    await type(screen.getByLabelText('SSH target'), 'no-user-here');
    expect(screen.getByTestId('ssh-problem').textContent).toBe('use user@host or user@host:port');
    expect((screen.getByTestId('save-node') as HTMLButtonElement).disabled).toBe(true);
    await type(screen.getByLabelText('SSH target'), 'root@n1');
    await type(screen.getByLabelText('Check TLS on port'), '70000');
    expect((screen.getByTestId('save-node') as HTMLButtonElement).disabled).toBe(true);
    await type(screen.getByLabelText('Check TLS on port'), '');
    expect((screen.getByTestId('save-node') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('SshKeyPrompt', () => {
  test('asks only for its own push, sends the answer once, clears the field, and declines on Skip', async () => {
    const fake = fakeApi({ answerSshKeyPassphrase: () => ({ accepted: true }) });
    useApi(fake.api);
    render(SshKeyPrompt, { jobId: 'job-1', onerror: () => {} });
    fake.emit('sshKeyPassphrase', { jobId: 'other-job', keyFile: '/k/other', attempt: 1 });
    await tick();
    expect(screen.queryByTestId('ssh-passphrase-prompt')).toBeNull();
    fake.emit('sshKeyPassphrase', { jobId: 'job-1', keyFile: '/k/id_ed25519', attempt: 1 });
    await waitFor(() => expect(screen.getByTestId('ssh-passphrase-prompt').textContent).toContain('/k/id_ed25519'));
    expect((screen.getByTestId('ssh-passphrase-unlock') as HTMLButtonElement).disabled).toBe(true);
    await type(screen.getByLabelText('Passphrase'), 's3cret words');
    await fireEvent.click(screen.getByTestId('ssh-passphrase-remember'));
    await fireEvent.click(screen.getByTestId('ssh-passphrase-unlock'));
    await waitFor(() => expect(screen.queryByTestId('ssh-passphrase-prompt')).toBeNull());
    expect(fake.calls.filter((c) => c.channel === 'answerSshKeyPassphrase').map((c) => c.request)).toEqual([{ jobId: 'job-1', keyFile: '/k/id_ed25519', passphrase: 's3cret words', remember: true }]);
    fake.emit('sshKeyPassphrase', { jobId: 'job-1', keyFile: '/k/id_ed25519', attempt: 2 });
    await waitFor(() => expect(screen.getByTestId('ssh-passphrase-wrong').textContent).toContain('2 of 3'));
    expect((screen.getByLabelText('Passphrase') as HTMLInputElement).value).toBe('');
    expect((screen.getByTestId('ssh-passphrase-remember') as HTMLInputElement).checked).toBe(false);
    await fireEvent.click(screen.getByTestId('ssh-passphrase-skip'));
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'answerSshKeyPassphrase').length).toBe(2));
    expect(fake.calls.filter((c) => c.channel === 'answerSshKeyPassphrase')[1]!.request).toEqual({ jobId: 'job-1', keyFile: '/k/id_ed25519', passphrase: null, remember: false });
  });
});

describe('BulkAdd', () => {
  test('shows per-line problems, then adds every good line in one call', async () => {
    app.nodes = [row('node1')];
    const fake = fakeApi({ addNodes: ({ nodes }) => nodes.map((n) => row(n.name)), listNodes: () => [] });
    useApi(fake.api);
    render(BulkAdd, { onclose: () => {} });
    const area = screen.getByLabelText('Nodes');
    await type(area, 'web1 10.0.1.1 web1.internal\nnode1 10.0.0.9\nweb2 10.0.1.300');
    expect(screen.getByTestId('bulk-summary').textContent).toBe('1 node ready, 2 lines to fix');
    expect(screen.getByTestId('bulk-problems').textContent).toContain('line 2');
    expect((screen.getByTestId('bulk-add') as HTMLButtonElement).disabled).toBe(true);
    await type(area, 'web1 10.0.1.1 web1.internal\nweb2 10.0.1.2');
    expect(screen.getByTestId('bulk-add').textContent).toContain('Add 2 nodes');
    await fireEvent.click(screen.getByTestId('bulk-add'));
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'addNodes')).toHaveLength(1));
    expect(fake.calls.find((c) => c.channel === 'addNodes')!.request).toEqual({
      nodes: [
        { name: 'web1', ips: ['10.0.1.1'], dns: ['web1.internal'], profile: 'generic-server' },
        { name: 'web2', ips: ['10.0.1.2'], dns: [], profile: 'generic-server' },
      ],
    });
  });
});

describe('NodesView and the issue store', () => {
  test('rows carry their state; bulk issue sends the selection and follows progress events from main', async () => {
    app.nodes = [row('a'), row('b', { state: 'renew', daysLeft: 20 }), row('c', { state: 'expired', daysLeft: -2 })];
    let finish!: (v: unknown) => void;
    const fake = fakeApi({
      issueCerts: () => new Promise((r) => (finish = r)) as never,
      listNodes: () => app.nodes.map((n) => ({ ...n, state: 'ok' as const, daysLeft: 396 })),
    });
    useApi(fake.api);
    const { container } = render(NodesView);
    expect(Array.from(container.querySelectorAll('tr[data-node]')).map((r) => r.getAttribute('data-state'))).toEqual(['none', 'renew', 'expired']);
    await fireEvent.click(screen.getByLabelText('Select all'));
    await fireEvent.click(screen.getByTestId('issue-selected'));
    const req = fake.calls.find((c) => c.channel === 'issueCerts')!.request as { names: string[]; days: number; jobId: string };
    expect(req.names).toEqual(['a', 'b', 'c']);
    expect(req.days).toBe(397);
    fake.emit('issueProgress', { jobId: 'someone-else', done: 3, total: 3, node: 'x' });
    fake.emit('issueProgress', { jobId: req.jobId, done: 2, total: 3, node: 'b' });
    await tick();
    const progress = screen.getByTestId('issue-progress');
    expect(progress.getAttribute('data-done')).toBe('2');
    expect(progress.querySelector('progress')!.value).toBe(2);
    expect(progress.textContent).toContain('Issuing 2 of 3 · b');
    finish([{ node: 'a' }, { node: 'b' }, { node: 'c' }]);
    await waitFor(() => expect(screen.getByTestId('issue-progress').getAttribute('data-running')).toBe('no'));
    expect(screen.getByTestId('issue-progress').textContent).toContain('Issued 3 certificates');
    expect(app.nodes.every((n) => n.state === 'ok')).toBe(true);
  });

  test('a failed issue says nothing was issued', async () => {
    app.nodes = [row('a')];
    useApi(fakeApi({ issueCerts: () => fail('no-passphrase', 'the OS keychain has no passphrase for this CA'), listNodes: () => app.nodes }).api);
    const result = await issue(['a']);
    expect(result).toBeNull();
    expect(app.job?.error).toBe('the OS keychain has no passphrase for this CA');
    expect(app.job?.running).toBe(false);
  });
});

describe('ExportDialog', () => {
  test('an unavailable format is shown disabled; a folder export reports where it went', async () => {
    const fake = fakeApi({ exportBundle: () => ({ saved: true, path: '/home/u/n1-bundle', files: [{ path: 'node.key', description: 'key', mode: '600' }] }) });
    useApi(fake.api);
    render(ExportDialog, { name: 'n1', onclose: () => {} });
    const p12 = screen.getByLabelText(/PKCS#12/) as HTMLInputElement;
    expect(p12.disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('export-go'));
    await waitFor(() => expect(screen.getByTestId('export-done').textContent).toContain('/home/u/n1-bundle'));
    expect(fake.calls.find((c) => c.channel === 'exportBundle')!.request).toEqual({ name: 'n1', format: 'dir' });
  });

  test('PKCS#12 needs the same password twice, of 12 characters or more', async () => {
    app.info!.bundleFormats[2]!.available = true;
    const fake = fakeApi({ exportBundle: () => ({ saved: false }) });
    useApi(fake.api);
    render(ExportDialog, { name: 'n1', onclose: () => {} });
    await fireEvent.click(screen.getByLabelText(/PKCS#12/));
    const go = screen.getByTestId('export-go') as HTMLButtonElement;
    expect(go.disabled).toBe(true);
    await type(screen.getByLabelText('Password for the .p12 file'), 'long enough password');
    await type(screen.getByLabelText('Repeat it'), 'long enough passwor');
    expect(go.disabled).toBe(true);
    await type(screen.getByLabelText('Repeat it'), 'long enough password');
    expect(go.disabled).toBe(false);
    await fireEvent.click(go);
    await waitFor(() => expect(fake.calls).toHaveLength(1));
    expect(fake.calls[0]!.request).toEqual({ name: 'n1', format: 'p12', p12Password: 'long enough password' });
  });
});

describe('FirstRun', () => {
  test('creates the CA from name, key type and years; shows fingerprint and where the passphrase is', async () => {
    app.ca = null;
    const fake = fakeApi({ createCa: (r) => ({ ...CA, name: r.name }) });
    useApi(fake.api);
    render(FirstRun);
    const create = screen.getByRole('button', { name: 'Create CA' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    await type(screen.getByLabelText('CA name'), '  Prod CA ');
    const select = screen.getByLabelText('Key type') as HTMLSelectElement;
    select.value = 'rsa-3072';
    await fireEvent.change(select);
    await type(screen.getByLabelText('Validity (years)'), '5');
    await fireEvent.click(create);
    await waitFor(() => screen.getByTestId('ca-created'));
    expect(fake.calls.find((c) => c.channel === 'createCa')!.request).toEqual({ name: 'Prod CA', keyType: 'rsa-3072', days: 1825, org: 'Cluster Trust' });
    expect(screen.getByTestId('ca-fingerprint').textContent).toBe(`AB:`.repeat(31) + 'AB');
    expect(screen.getByTestId('passphrase-location').textContent).toContain('in the OS keychain');
  });

  test('no keychain: asks for the user\'s own passphrase twice, refuses a short or differing one, sends it once', async () => {
    app.ca = null;
    const fake = fakeApi({
      getKeychain: () => ({ backend: '@napi-rs/keyring', reachable: false, detail: 'the OS keychain is not reachable (no D-Bus)' }),
      createCa: (r) => ({ ...CA, name: r.name, passphraseIn: 'typed' }),
    });
    useApi(fake.api);
    render(FirstRun);
    await waitFor(() => screen.getByTestId('no-keychain'));
    await type(screen.getByLabelText('CA name'), 'Own CA');
    await type(screen.getByLabelText('CA passphrase'), 'short');
    expect(screen.getByText('at least 12 characters')).toBeTruthy();
    await type(screen.getByLabelText('CA passphrase'), 'a long passphrase 1');
    await type(screen.getByLabelText('Type it again'), 'a long passphrase 2');
    expect(screen.getByText('the two passphrases differ')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Create CA' }));
    expect(fake.calls.some((c) => c.channel === 'createCa')).toBe(false);
    await type(screen.getByLabelText('Type it again'), 'a long passphrase 1');
    await fireEvent.click(screen.getByRole('button', { name: 'Create CA' }));
    await waitFor(() => screen.getByTestId('ca-created'));
    expect(fake.calls.filter((c) => c.channel === 'createCa').map((c) => c.request)).toEqual([{ name: 'Own CA', keyType: 'ecdsa-p256', days: 3650, org: 'Cluster Trust', passphrase: 'a long passphrase 1' }]);
  });

  test('validity outside 1..100 years is refused as typed', async () => {
    app.ca = null;
    useApi(fakeApi().api);
    render(FirstRun);
    await type(screen.getByLabelText('CA name'), 'X');
    await type(screen.getByLabelText('Validity (years)'), '101');
    expect(screen.getByText('from 1 to 100 years')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Create CA' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('SignCsr', () => {
  test('a dropped CSR is previewed by main and signed stand-alone: its CN never picks the node, even one of that name', async () => {
    const fake = fakeApi({
      listCsrCerts: () => [],
      previewCsr: () => ({ commonName: 'edge1', dns: ['edge1.internal'], ips: ['10.0.9.1'], keyType: 'ecdsa-p256' }),
      signCsr: () => ({ certPem: '-----BEGIN CERTIFICATE-----\n', standalone: true, issued: { node: 'edge1', serial: 'ab', fingerprint: 'cd'.repeat(32), notAfter: '2027-01-01T00:00:00Z', dns: ['edge1.internal'], ips: [] } }),
    });
    useApi(fake.api);
    app.nodes = [row('edge1', { dns: ['edge1.internal'] })];
    app.droppedCsr = { fileName: 'edge1.csr', pem: '-----BEGIN CERTIFICATE REQUEST-----\nx\n' };
    render(SignCsr);
    await waitFor(() => expect(screen.getByTestId('csr-sans').textContent).toContain('DNS:edge1.internal'));
    expect(app.droppedCsr).toBeNull();
    expect((screen.getByLabelText('For node') as HTMLSelectElement).value).toBe('');
    await type(screen.getByLabelText('Valid for (days)'), '90');
    await fireEvent.click(screen.getByTestId('sign-csr'));
    await waitFor(() => screen.getByTestId('csr-signed'));
    expect(fake.calls.find((c) => c.channel === 'signCsr')!.request).toEqual({ pem: '-----BEGIN CERTIFICATE REQUEST-----\nx\n', days: 90, server: true, client: false });
    expect(screen.getByTestId('csr-signed').textContent).toContain('stand-alone');
  });

  test('a node picked explicitly is sent as the node the certificate is for', async () => {
    const fake = fakeApi({
      listCsrCerts: () => [],
      previewCsr: () => ({ commonName: 'whatever', dns: [], ips: [], keyType: 'ecdsa-p256' }),
      signCsr: () => ({ certPem: '-----BEGIN CERTIFICATE-----\n', standalone: false, issued: { node: 'db1', serial: 'ab', fingerprint: 'cd'.repeat(32), notAfter: '2027-01-01T00:00:00Z', dns: [], ips: ['10.0.0.5'] } }),
    });
    useApi(fake.api);
    app.nodes = [row('db1', { ips: ['10.0.0.5'] }), row('edge1')];
    app.droppedCsr = { fileName: 'x.csr', pem: '-----BEGIN CERTIFICATE REQUEST-----\ny\n' };
    render(SignCsr);
    await waitFor(() => screen.getByTestId('csr-sans'));
    await fireEvent.change(screen.getByLabelText('For node'), { target: { value: 'db1' } });
    await fireEvent.click(screen.getByTestId('sign-csr'));
    await waitFor(() => screen.getByTestId('csr-signed'));
    expect(fake.calls.find((c) => c.channel === 'signCsr')!.request).toEqual({ pem: '-----BEGIN CERTIFICATE REQUEST-----\ny\n', days: 397, server: true, client: false, name: 'db1' });
    expect(screen.getByTestId('csr-signed').textContent).toContain('certificate of node db1');
  });

  test('a CSR main refuses shows the reason in place', async () => {
    useApi(fakeApi({ listCsrCerts: () => [], previewCsr: () => fail('invalid-input', 'the CSR signature does not verify') }).api);
    app.droppedCsr = { fileName: 'bad.csr', pem: 'x' };
    render(SignCsr);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('the CSR signature does not verify'));
  });
});

describe('RemoveNode', () => {
  test('a node with a live certificate: the confirmation asks revoke or keep, and sends the choice', async () => {
    const fake = fakeApi({ removeNode: ({ name }) => ({ removed: [name], revoked: [], undoToken: '0'.repeat(32), undoSeconds: 15 }), listNodes: () => [] });
    useApi(fake.api);
    app.nodes = [row('app1', { state: 'ok', serial: 'abcd' })];
    render(RemoveNode, { name: 'app1', onclose: () => {} });
    expect(screen.getByTestId('remove-cert-choice').textContent).toContain('abcd');
    expect((screen.getByTestId('remove-revoke') as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByTestId('remove-keep'));
    await fireEvent.click(screen.getByTestId('confirm-remove'));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'removeNode')?.request).toEqual({ name: 'app1', cert: 'keep' }));
  });

  test('a node without a live certificate is removed without a choice', async () => {
    const fake = fakeApi({ removeNode: ({ name }) => ({ removed: [name], revoked: [], undoToken: '0'.repeat(32), undoSeconds: 15 }), listNodes: () => [] });
    useApi(fake.api);
    app.nodes = [row('bare', { state: 'none', serial: null })];
    render(RemoveNode, { name: 'bare', onclose: () => {} });
    expect(screen.queryByTestId('remove-cert-choice')).toBeNull();
    await fireEvent.click(screen.getByTestId('confirm-remove'));
    await waitFor(() => expect(fake.calls.find((c) => c.channel === 'removeNode')?.request).toEqual({ name: 'bare' }));
  });
});

describe('App', () => {
  test('no CA yet: the first-run screen; with a CA: sidebar and nodes', async () => {
    app.loaded = false;
    const withCa = { value: null as typeof CA | null };
    const fake = fakeApi({ getAppInfo: () => INFO, getCa: () => withCa.value, listNodes: () => [row('n1')] });
    useApi(fake.api);
    render(App);
    await waitFor(() => screen.getByText('Welcome to Cluster Trust'));
    cleanup();
    resetApp();
    app.loaded = false;
    withCa.value = CA;
    render(App);
    await waitFor(() => screen.getByRole('navigation', { name: 'Sections' }));
    expect(screen.getByText('n1')).toBeTruthy();
    // The menu's typed event switches screens.
    fake.emit('menuCommand', { command: 'show-ca' });
    await tick();
    expect(document.querySelector('[data-view=ca]')).not.toBeNull();
  });

  test('the window getting the focus back reloads the node list only when main says it changed', async () => {
    app.loaded = false;
    let revision = 'r1';
    let rows = [row('n1')];
    const fake = fakeApi({ getAppInfo: () => INFO, getCa: () => CA, listNodes: () => rows, nodesRevision: () => revision });
    useApi(fake.api);
    render(App);
    await waitFor(() => screen.getByText('n1'));
    const lists = () => fake.calls.filter((c) => c.channel === 'listNodes').length;
    expect(lists()).toBe(1);
    // A burst of focus events (a window opening gets two) with nothing changed: no reload.
    window.dispatchEvent(new FocusEvent('focus'));
    window.dispatchEvent(new FocusEvent('focus'));
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'nodesRevision').length).toBeGreaterThanOrEqual(3));
    await tick();
    expect(lists()).toBe(1);
    // The command line changed the vault meanwhile: the next focus shows it.
    revision = 'r2';
    rows = [row('n1'), row('n2')];
    window.dispatchEvent(new FocusEvent('focus'));
    await waitFor(() => screen.getByText('n2'));
    expect(lists()).toBe(2);
  });

  test('focus events while the first list is still loading wait for it instead of loading it again', async () => {
    app.loaded = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const fake = fakeApi({ getAppInfo: () => INFO, getCa: () => CA, listNodes: async () => (await gate, [row('n1')]), nodesRevision: () => 'r1' });
    useApi(fake.api);
    render(App);
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'listNodes')).toBe(true));
    window.dispatchEvent(new FocusEvent('focus'));
    window.dispatchEvent(new FocusEvent('focus'));
    release();
    await waitFor(() => screen.getByText('n1'));
    await waitFor(() => expect(fake.calls.filter((c) => c.channel === 'nodesRevision').length).toBe(3));
    await tick();
    expect(fake.calls.filter((c) => c.channel === 'listNodes').length).toBe(1);
  });

  test('a vault that cannot be opened shows the reason instead of a blank window', async () => {
    app.loaded = false;
    useApi(fakeApi({ getAppInfo: () => fail('io', 'the vault folder /x is not writable'), getCa: () => null }).api);
    render(App);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('the vault folder /x is not writable'));
  });
});

describe('NodesView at scale: virtual rows, search, sort, keyboard', () => {
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      row(`node-${i}`, { ips: [`10.${Math.floor(i / 250)}.${i % 250}.1`], dns: [`node-${i}.fleet.test`], ...(i % 100 === 7 ? { state: 'renew' as const, daysLeft: 10 } : {}), ...(i === 4321 ? { profile: 'nats-server', profileTitle: 'NATS server' } : {}) }),
    );
  const rendered = (c: HTMLElement) => Array.from(c.querySelectorAll('tr[data-node]')).map((r) => r.getAttribute('data-node'));

  test('10,000 nodes put only a window of rows in the DOM; search filters by name, address, profile and state', async () => {
    app.nodes = many(10_000);
    useApi(fakeApi().api);
    const { container } = render(NodesView);
    expect(rendered(container).length).toBeGreaterThan(10);
    expect(container.querySelectorAll('tr').length).toBeLessThanOrEqual(500);
    const search = screen.getByTestId('node-search');
    await fireEvent.input(search, { target: { value: 'node-9876' } });
    expect(rendered(container)).toEqual(['node-9876']);
    await fireEvent.input(search, { target: { value: '10.2.3.1' } });
    expect(rendered(container)).toEqual(['node-503']);
    await fireEvent.input(search, { target: { value: 'nats' } });
    expect(rendered(container)).toEqual(['node-4321']);
    await fireEvent.input(search, { target: { value: 'renew' } });
    expect(screen.getByTestId('nodes-table').getAttribute('data-rows')).toBe('100');
    expect(screen.getByTestId('node-count').textContent).toBe('100 of 10000');
    await fireEvent.input(search, { target: { value: 'no such node' } });
    expect(screen.getByTestId('no-match')).toBeTruthy();
  });

  test('a column header sorts (then reverses); arrow keys move the row focus and Enter opens the node', async () => {
    app.nodes = [row('b', { state: 'ok', daysLeft: 300 }), row('a', { state: 'expired', daysLeft: -1 }), row('c')];
    app.detail = null;
    useApi(fakeApi().api);
    const { container } = render(NodesView);
    await fireEvent.click(container.querySelector('[data-sort=name]')!);
    expect(rendered(container)).toEqual(['a', 'b', 'c']);
    await fireEvent.click(container.querySelector('[data-sort=name]')!);
    expect(rendered(container)).toEqual(['c', 'b', 'a']);
    await fireEvent.click(container.querySelector('[data-sort=state]')!);
    expect(rendered(container)).toEqual(['c', 'a', 'b']);
    const grid = screen.getByTestId('nodes-table');
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(container.querySelector('tr.focused')?.getAttribute('data-node')).toBe('a');
    await fireEvent.keyDown(grid, { key: 'Enter' });
    expect(app.detail).toBe('a');
  });
});

describe('PushView at scale', () => {
  test('the search box filters the push list by name, SSH target and state; only the rows in view are in the DOM', async () => {
    const targets = Array.from({ length: 2000 }, (_, i) => ({ name: `n${i}`, ssh: i % 2 ? `deploy@10.0.${Math.floor(i / 250)}.${i % 250}` : null, state: (i === 1234 ? 'expired' : 'ok') as 'ok' | 'expired' }));
    useApi(fakeApi({ listPushTargets: () => targets, listSavedSshKeys: () => [] }).api);
    const { container } = render(PushView);
    await waitFor(() => expect(container.querySelector('[data-testid=push-nodes]')?.getAttribute('data-rows')).toBe('2000'));
    const names = () => Array.from(container.querySelectorAll('[data-testid=push-nodes] tr[data-node]')).map((r) => r.getAttribute('data-node'));
    // Without layout the window assumes a tall screen: a screenful of rows, not 2,000.
    expect(names().length).toBeGreaterThan(10);
    expect(names().length).toBeLessThanOrEqual(60);
    expect(names()[0]).toBe('n0');
    await fireEvent.input(screen.getByTestId('push-search'), { target: { value: 'n1999' } });
    expect(names()).toEqual(['n1999']);
    await fireEvent.input(screen.getByTestId('push-search'), { target: { value: 'deploy@10.0.7.99' } });
    expect(names()).toEqual(['n1849']);
    await fireEvent.input(screen.getByTestId('push-search'), { target: { value: 'expired' } });
    expect(names()).toEqual(['n1234']);
  });
});

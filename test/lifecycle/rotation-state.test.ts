/**
 * One rotation model for every front end: `ca rotate`, `ca status`, `ca retire-old` (CLI) and the
 * wizard's view (IPC) agree at each step on who is still on the old CA, counting a certificate
 * signed from a CSR that no node renews, and on the step itself.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { workspace, cleanup, sh, snapshot } from '../helpers/cli.ts';
import { plainHost } from '../helpers/ipc-host.ts';
import { createHandlers } from '../../src-main/ipc/handlers/index.ts';
import { dispatch } from '../../src-main/ipc/registry.ts';
import type { RotationView } from '../../src-main/ipc/contract.ts';
import { json, ok, seed } from './helpers.ts';

const ws = workspace();
after(() => cleanup(ws.dir));

interface StatusJson {
  step: string;
  onPreviousCa: string[];
  toRenew: string[];
  pushPending: string[];
}

const status = (): StatusJson => json<StatusJson>(ws.cli('ca', 'status', '--json'), 'ca status');
const statusText = (): string => ok(ws.cli('ca', 'status'), 'ca status').stdout;

async function view(): Promise<RotationView> {
  const handlers = createHandlers(plainHost(ws.home, ws.pass));
  const r = await dispatch(handlers, 'getRotation', undefined, { emit: () => {} });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** The CLI's model and the wizard's view say the same thing. */
async function agree(expected: { step: string; onOld: string[]; toRenew: string[]; pushPending: string[] }): Promise<void> {
  const s = status();
  const v = await view();
  assert.deepEqual({ step: s.step, onOld: [...s.onPreviousCa].sort(), toRenew: [...s.toRenew].sort(), pushPending: [...s.pushPending].sort() }, expected, 'ca status');
  assert.deepEqual({ step: v.step, onOld: [...v.blocking].sort(), toRenew: v.toRenew, pushPending: [...v.pushPending].sort() }, { ...expected, toRenew: expected.toRenew.length }, 'the wizard');
  assert.deepEqual(v.nodes.filter((n) => n.blocksRetire).map((n) => n.name).sort(), expected.onOld, 'the wizard rows');
}

test('rotate, renew, push pending, retire: CLI and wizard read one model; a CSR-signed certificate blocks retire-old everywhere', async () => {
  seed(ws, ['web', 'db-c']);
  // A stand-alone certificate signed from a CSR made elsewhere: no inventory node renews it.
  const key = join(ws.dir, 'edge.key');
  const csr = join(ws.dir, 'edge.csr');
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=edge', '-addext', 'subjectAltName=DNS:edge.example']);
  const signed = json<{ serial: string }>(ws.cli('sign-csr', csr, '--out', join(ws.dir, 'edge.crt'), '--server', '--json'), 'sign-csr');
  await agree({ step: 'none', onOld: [], toRenew: [], pushPending: [] });
  assert.match(statusText(), /no rotation under way/);

  const rotated = json<{ onPreviousCa: string[] }>(ws.cli('ca', 'rotate', '--json'), 'ca rotate');
  assert.deepEqual([...rotated.onPreviousCa].sort(), ['db-c', 'edge', 'web'], 'rotate counts the CSR-signed certificate too');
  await agree({ step: 'renew', onOld: ['db-c', 'edge', 'web'], toRenew: ['db-c', 'web'], pushPending: [] });

  // web gets an SSH target nobody answers on: after renewal its push is pending, and a failed push keeps it so.
  ok(ws.cli('node', 'edit', 'web', '--ssh', 'root@127.0.0.1:1'), 'node edit');
  ok(ws.cli('renew', '--old-ca'), 'renew --old-ca');
  await agree({ step: 'push', onOld: ['edge'], toRenew: [], pushPending: ['web'] });
  assert.match(statusText(), /1 renewed node\(s\) not pushed since: web/);
  assert.notEqual(ws.cli('push', 'web', '--timeout', '5').code, 0, 'nothing listens on port 1');
  await agree({ step: 'push', onOld: ['edge'], toRenew: [], pushPending: ['web'] });
  assert.equal((await view()).nodes.find((n) => n.name === 'web')?.lastPush?.outcome, 'failed');

  // No pushable node left pending: the retire step, still blocked by the CSR-signed certificate, and ca status says so.
  ok(ws.cli('node', 'edit', 'web', '--ssh', ''), 'node edit');
  await agree({ step: 'retire', onOld: ['edge'], toRenew: [], pushPending: [] });
  assert.doesNotMatch(statusText(), /can follow/, 'ca status does not promise what retire-old refuses');
  assert.match(statusText(), /block `ca retire-old`: edge/);
  const before = snapshot(ws.home);
  const refused = ws.cli('ca', 'retire-old');
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /1 node\(s\) still hold a live certificate from the previous CA \(edge\)/);
  assert.deepEqual(snapshot(ws.home), before, 'refused: nothing changed');

  ok(ws.cli('revoke', '--serial', signed.serial), 'revoke edge');
  await agree({ step: 'retire', onOld: [], toRenew: [], pushPending: [] });
  assert.match(statusText(), /can follow/);
  ok(ws.cli('ca', 'retire-old'), 'retire-old');
  await agree({ step: 'none', onOld: [], toRenew: [], pushPending: [] });
});

// Issue 13, item 8: a CSR's CN, a certificate's subject or a node name with terminal control
// sequences is shown as visible text in every human output of the CLI, never sent to the terminal
// raw; --json keeps the exact value (escaped the JSON way).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, type CliRun } from '../helpers/cli.ts';
import { ok, withCa } from './helpers.ts';

const ws = withCa('ecdsa-p256');
after(() => cleanup(ws.dir));

// Colour, a window-title sequence ended by BEL, a one-byte C1 CSI (U+009B), a carriage return and a bidi override.
const HOSTILE = 'web\u001b[31mRED\u001b]0;pwned\u0007\u009bx\rY\u202e';
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function noRawControls(run: CliRun, what: string): string {
  const all = run.stdout + run.stderr;
  assert.doesNotMatch(all, RAW_CONTROLS, `${what} sent a raw control character: ${JSON.stringify(all)}`);
  return all;
}

function csrWithCn(cn: string): string {
  const key = join(ws.dir, 'csr.key');
  const csr = join(ws.dir, 'hostile.csr');
  sh('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-utf8', '-subj', `/CN=${cn}`, '-out', csr]);
  return csr;
}

test('sign-csr: the CN (refused as a DNS name, or signed with --dns) is shown escaped; inspect shows the subject escaped', () => {
  const csr = csrWithCn(HOSTILE);
  const refusedRun = ws.cli('sign-csr', csr, '--out', join(ws.dir, 'never.crt'));
  const said = noRawControls(refusedRun, 'sign-csr refusing the CN');
  assert.match(said, /web\\x1b\[31m/i, 'the escape is shown as text');
  assert.equal(refusedRun.stderr.split('\n').filter(Boolean).length, 1, 'still one line');

  // Signed for a node (which must exist): the node's CN replaces the CSR's, and nothing raw is printed.
  assert.equal(ws.cli('node', 'add', 'web-hostile', '--dns', 'web.cluster.test').code, 0);
  noRawControls(ws.cli('sign-csr', csr, '--out', join(ws.dir, 'signed.crt'), '--name', 'web-hostile'), 'sign-csr signing');

  // A certificate made elsewhere with that CN: inspect shows its subject escaped.
  const out = join(ws.dir, 'hostile.crt');
  sh('openssl', ['req', '-x509', '-key', join(ws.dir, 'csr.key'), '-utf8', '-subj', `/CN=${HOSTILE}`, '-days', '1', '-out', out]);
  const shown = noRawControls(ws.cli('inspect', out), 'inspect');
  assert.match(shown, /subject:\s+CN=web/);
  // --json keeps the value exactly (JSON escapes it), and its raw text has no control characters either.
  const json = ws.cli('--json', 'inspect', out);
  noRawControls(json, 'inspect --json');
  const [report] = ok<Array<{ subject: string }>>(json);
  // (Node's own subject text escapes C0 controls as \1B but leaves the C1 CSI raw: we escape it.)
  assert.ok(report!.subject.includes('\u009bx'), `the subject keeps the CN: ${JSON.stringify(report!.subject)}`);
});

test('revoke and log: a node name with control sequences (from a vault an older version wrote, or a restored backup) is shown escaped', () => {
  ok(ws.cli('--json', 'node', 'add', 'plain-node', '--ip', '10.0.0.7'));
  ok(ws.cli('--json', 'issue', 'plain-node'));
  const inventory = join(ws.home, 'inventory.json');
  writeFileSync(inventory, readFileSync(inventory, 'utf8').replaceAll('"plain-node"', JSON.stringify(HOSTILE)), { mode: 0o600 });

  const revoked = ws.cli('revoke', HOSTILE);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(noRawControls(revoked, 'revoke'), /revoked certificate [0-9a-f]+ of "web\\x1b\[31mRED\\x1b\]0;pwned\\x07\\x9bx\\x0dY\\u\{202e\}"/);
  const log = ws.cli('log');
  assert.match(noRawControls(log, 'log'), /revoke\s+web\\x1b\[31m/);
  assert.match(noRawControls(ws.cli('node', 'list'), 'node list'), /web\\x1b\[31m/);
  assert.match(noRawControls(ws.cli('node', 'show', HOSTILE), 'node show'), /node:\s+web\\x1b\[31m/);
  // An error quoting the name stays one line.
  const missing = ws.cli('node', 'show', `${HOSTILE}\nsecond line`);
  assert.equal(missing.stderr.split('\n').filter(Boolean).length, 1, JSON.stringify(missing.stderr));
  noRawControls(missing, 'an error');
  const jsonLog = ok<Array<{ node?: string }>>(ws.cli('--json', 'log'));
  assert.ok(jsonLog.some((e) => e.node === HOSTILE), '--json keeps the exact name');
});

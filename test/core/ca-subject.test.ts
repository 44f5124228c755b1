// Issue 14: the CA subject's O and OU are the user's at `ca init` (default O=Cluster Trust, no OU),
// checked per field (at most 64 printable characters, the message names the option), shown by
// `ca show`, read the same by openssl, kept by `ca rotate` unless changed, and carried to an intermediate.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, workspace } from '../helpers/cli.ts';
import { ok, refused } from './helpers.ts';

const dirs: string[] = [];
after(() => cleanup(...dirs));

function fresh() {
  const ws = workspace();
  dirs.push(ws.dir);
  return ws;
}

const subjectOf = (file: string): string => sh('openssl', ['x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253']).trim();

test('ca init: O and OU as given, shown by ca show and in the certificate', () => {
  const ws = fresh();
  ok(ws.cli('--json', 'ca', 'init', '--name', 'Prod CA', '--org', 'Example Corp', '--org-unit', 'Platform Ops'));
  const cert = join(ws.dir, 'ca.crt');
  ok(ws.cli('--json', 'ca', 'export', '--out', cert));
  assert.equal(subjectOf(cert), 'subject=OU=Platform Ops,O=Example Corp,CN=Prod CA');
  const show = ws.cli('ca', 'show');
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /^subject:\s+CN=Prod CA, O=Example Corp, OU=Platform Ops$/m);

  // A rotation keeps them unless told otherwise; --org-unit alone changes only the OU.
  ok(ws.cli('--json', 'ca', 'rotate', '--org-unit', 'SRE'));
  assert.equal(ok<{ subject: string }>(ws.cli('--json', 'ca', 'show')).subject, 'CN=Prod CA G2, O=Example Corp, OU=SRE');
});

test('ca init: the default subject is O=Cluster Trust with no OU; an intermediate takes its root\'s O and OU', () => {
  const plain = fresh();
  ok(plain.cli('--json', 'ca', 'init', '--name', 'Plain CA'));
  const cert = join(plain.dir, 'plain.crt');
  ok(plain.cli('--json', 'ca', 'export', '--out', cert));
  assert.equal(subjectOf(cert), 'subject=O=Cluster Trust,CN=Plain CA');

  const two = fresh();
  ok(two.cli('--json', 'ca', 'init', '--name', 'Tiered', '--intermediate', '--org', 'Tier Org', '--org-unit', 'Edge'));
  const info = ok<{ subject: string; root: { name: string } }>(two.cli('--json', 'ca', 'show'));
  assert.match(info.subject, /O=Tier Org/);
  assert.match(info.subject, /OU=Edge/);
  assert.match(info.subject, /CN=Tiered Intermediate/);
});

test('ca init refuses a bad O or OU by name, and creates nothing', () => {
  for (const [args, message] of [
    [['--org', 'x'.repeat(65)], /--org must be at most 64 characters \(got 65\)/],
    [['--org-unit', 'ops\u0007'], /--org-unit must be printable text/],
    [['--org-unit', 'a\u202Eb'], /--org-unit must be printable text/],
    [['--org', '   '], /--org must not be empty/],
  ] as Array<[string[], RegExp]>) {
    const ws = fresh();
    refused(ws.cli('ca', 'init', '--name', 'Bad', ...args), message);
    assert.equal(existsSync(join(ws.home, 'inventory.json')), false, `nothing created for ${args.join(' ')}`);
  }
  const ws = fresh();
  ok(ws.cli('--json', 'ca', 'init', '--name', 'Sixty four', '--org', 'é'.repeat(64)));
});

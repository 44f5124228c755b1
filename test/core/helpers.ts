import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh, snapshot, workspace, type CliRun } from '../helpers/cli.ts';

export type Workspace = ReturnType<typeof workspace>;

/** Parses a command's --json stdout, failing the test with its stderr when it did not succeed. */
export function ok<T = any>(run: CliRun): T {
  assert.equal(run.code, 0, `command failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** A command that succeeds with human output. */
export function okText(run: CliRun): string {
  assert.equal(run.code, 0, `command failed (${run.code}): ${run.stderr}`);
  return run.stdout;
}

/**
 * The CLI's contract for a refused input: non-zero exit, exactly one line on stderr that names the
 * problem, no stack trace.
 */
export function refused(run: CliRun, message: RegExp): void {
  assert.notEqual(run.code, 0, `expected a refusal, got success: ${run.stdout}`);
  const lines = run.stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0]!, /^cluster-trust: /);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(run.stderr, /\n\s+at |Error: |node:internal/, 'no stack trace');
}

/** Runs `attempt` and checks that it was refused and that the vault did not change by one byte. */
export function refusedUnchanged(ws: Workspace, message: RegExp, ...args: string[]): void {
  const before = snapshot(ws.home);
  refused(ws.cli(...args), message);
  assert.deepEqual(snapshot(ws.home), before, `the vault changed after: ${args.join(' ')}`);
}

/** A workspace with a CA of the given key type. */
export function withCa(keyType = 'ecdsa-p256', name = 'Test CA'): Workspace {
  const ws = workspace();
  ok(ws.cli('--json', 'ca', 'init', '--name', name, '--key', keyType));
  return ws;
}

export function caCertFile(ws: Workspace): string {
  const out = join(ws.dir, `ca-${Math.random().toString(36).slice(2)}.crt`);
  ok(ws.cli('--json', 'ca', 'export', '--out', out));
  return out;
}

/** Writes a node's bundle folder and returns its path. */
export function bundle(ws: Workspace, node: string): string {
  const out = join(ws.dir, `bundle-${node}-${Math.random().toString(36).slice(2)}`);
  ok(ws.cli('--json', 'bundle', node, '--out', out));
  return out;
}

export function opensslText(certFile: string): string {
  return sh('openssl', ['x509', '-in', certFile, '-noout', '-text']);
}

/** `openssl verify` of a leaf (first block of the file) against only the given CA file. */
export function opensslVerify(caFile: string, certFile: string, purpose?: string): void {
  const out = sh('openssl', ['verify', '-x509_strict', '-CAfile', caFile, ...(purpose ? ['-purpose', purpose] : []), certFile]);
  assert.match(out, /: OK$/m);
}

/** The first certificate of a PEM file. */
export function firstCert(file: string): X509Certificate {
  return new X509Certificate(readFileSync(file));
}

/** The public key (SPKI DER) openssl sees in a certificate, a CSR, or a private key. */
export function opensslPubkey(kind: 'x509' | 'req' | 'pkey', file: string, extra: string[] = []): string {
  return sh('openssl', [kind, '-in', file, '-noout', '-pubkey', ...extra]).trim();
}

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, sh, tempDir } from '../helpers/cli.ts';
import { entryMatches, knownHostsLine, knownHostsName, parseKnownHosts, sshFingerprint } from '../../src-main/ssh/known-hosts.ts';
import { hostKeyAlgorithmsFor, judgeHostKey, recordHostKey, loadKnownHosts } from '../../src-main/ssh/host-keys.ts';

// known_hosts parsing and lookup, checked against OpenSSH's own tools (ssh-keygen -F / -H / -l).
const dir = tempDir('ct-known-hosts-');
after(() => cleanup(dir));

function keyPair(name: string, type = 'ed25519'): { blob: Buffer; line: string; pub: string } {
  const path = join(dir, name);
  sh('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim();
  const [kind, b64] = line.split(/\s+/);
  return { blob: Buffer.from(b64!, 'base64'), line: `${kind} ${b64}`, pub: `${path}.pub` };
}

const a = keyPair('a');
const b = keyPair('b');
const r = keyPair('r', 'rsa');

test('fingerprints are printed exactly like ssh-keygen -l', () => {
  for (const k of [a, b, r]) assert.equal(sshFingerprint(k.blob), sh('ssh-keygen', ['-l', '-E', 'sha256', '-f', k.pub]).split(/\s+/)[1]);
});

test('lookups agree with ssh-keygen -F, for plain and hashed files', () => {
  const valid = [`node1.example,10.0.0.1 ${a.line} comment here`, `[10.0.0.2]:2222 ${b.line}`, `*.wild.example,!bad.wild.example ${a.line}`, `10.0.0.3 ${r.line}`];
  const plain = join(dir, 'plain');
  writeFileSync(plain, ['# a comment, then a blank line', '', ...valid, 'garbage line without a key', '10.0.0.4 ssh-ed25519 not-base64!', ''].join('\n'));
  // ssh-keygen -H hashes every name (patterns cannot be hashed, so that line names one host).
  const hashed = join(dir, 'hashed');
  writeFileSync(hashed, `${valid.join('\n').replace('*.wild.example,!bad.wild.example', 'x.wild.example')}\n`);
  sh('ssh-keygen', ['-q', '-H', '-f', hashed]);
  assert.match(readFileSync(hashed, 'utf8'), /^\|1\|/m);
  const names: Array<[string, number]> = [
    ['node1.example', 22], ['10.0.0.1', 22], ['10.0.0.1', 2222], ['10.0.0.2', 2222], ['10.0.0.2', 22],
    ['x.wild.example', 22], ['bad.wild.example', 22], ['10.0.0.3', 22], ['NODE1.EXAMPLE', 22], ['nothing.example', 22],
  ];
  for (const file of [plain, hashed]) {
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    assert.equal(entries.length, file === plain ? 4 : 5, 'bad lines are skipped; ssh-keygen -H writes one line per name');
    for (const [host, port] of names) {
      const name = knownHostsName(host, port);
      const ours = entries.some((e) => entryMatches(e, name));
      const openssh = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' }).status === 0;
      assert.equal(ours, openssh, `${file.endsWith('hashed') ? 'hashed' : 'plain'} lookup of ${name}`);
    }
  }
});

test('verdicts: known, unknown, changed (same type, other key), revoked; known types restrict the offer', () => {
  const entries = parseKnownHosts([`[h]:2200 ${a.line}`, `h2 ${r.line}`, `@revoked * ${b.line}`, `@cert-authority * ${a.line}`].join('\n'), 'f');
  assert.equal(judgeHostKey(entries, 'h', 2200, a.blob).status, 'known');
  assert.equal(judgeHostKey(entries, 'h', 22, a.blob).status, 'unknown', 'the port is part of the name');
  const changed = judgeHostKey(entries, 'h', 2200, keyPair('c').blob);
  assert.equal(changed.status, 'changed');
  assert.equal(judgeHostKey(entries, 'h', 2200, b.blob).status, 'revoked');
  assert.equal(judgeHostKey(entries, 'other', 22, a.blob).status, 'unknown', '@cert-authority lines do not make a plain key known');
  assert.deepEqual(hostKeyAlgorithmsFor(entries, 'h', 2200), ['ssh-ed25519']);
  assert.deepEqual(hostKeyAlgorithmsFor(entries, 'h2', 22), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  assert.deepEqual(hostKeyAlgorithmsFor(entries, 'new', 22), []);
});

test('recorded keys are lines OpenSSH reads, written once, even when recorded at the same moment', async () => {
  const files = { readOnly: [], app: join(dir, 'app_known_hosts'), lock: join(dir, '.lock') };
  await Promise.all([recordHostKey(files, '127.0.0.1', 2022, a.blob, 'n1'), recordHostKey(files, '127.0.0.1', 2022, a.blob, 'n1')]);
  await recordHostKey(files, '::1', 22, b.blob, 'n2');
  const text = readFileSync(files.app, 'utf8');
  assert.equal(text.trim().split('\n').length, 2);
  assert.equal(text.split('\n')[0], knownHostsLine('127.0.0.1', 2022, a.blob, 'cluster-trust:n1'));
  assert.equal(spawnSync('ssh-keygen', ['-F', '[127.0.0.1]:2022', '-f', files.app]).status, 0);
  assert.equal(spawnSync('ssh-keygen', ['-F', '::1', '-f', files.app]).status, 0);
  assert.equal(judgeHostKey(loadKnownHosts(files), '127.0.0.1', 2022, a.blob).status, 'known');
});

// `trust status` says, per store, whether the software reading it enforces a root's name
// constraints: the NSS databases (Chromium, Firefox) and OpenSSL system stores do, Java does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { trustStatus } from '../../src-main/truststore/index.ts';
import { TRUST_STORES } from '../../src-main/truststore/registry.ts';
import { cleanup, sh, tempDir, workspace } from '../helpers/cli.ts';
import { makeCa } from './helpers.ts';

test('every store says whether its verifier enforces name constraints: Java no, the others yes', () => {
  const enforced = Object.fromEntries(TRUST_STORES.map((s) => [s.id, s.nameConstraints.enforced]));
  assert.deepEqual(enforced, { debian: true, rhel: true, arch: true, opensuse: true, freebsd: true, macos: true, windows: true, nss: true, java: false });
  for (const s of TRUST_STORES) assert.ok(s.nameConstraints.note.length > 10, s.id);
});

test('trust status (core and CLI) carries the verdict for the stores found here', async () => {
  const ca = await makeCa('Limits CA');
  const home = tempDir('ct-home-');
  try {
    const db = join(home, '.pki/nssdb');
    mkdirSync(db, { recursive: true });
    sh('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    const [nss] = await trustStatus(ca.pem, { home, stores: ['nss'] });
    assert.deepEqual([nss!.store, nss!.present, nss!.nameConstraints.enforced], ['nss', true, true]);
    assert.match(nss!.nameConstraints.note, /Chromium .* Firefox/);
    const [java] = await trustStatus(ca.pem, { home, stores: ['java'], javaKeystore: join(home, 'none.jks') });
    assert.equal(java!.nameConstraints.enforced, false);

    const ws = workspace();
    try {
      assert.equal(ws.cli('ca', 'init', '--name', 'Limits CA').code, 0);
      const r = ws.cli('trust', 'status', '--store', 'nss', '--nss-db', db);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /NAME LIMITS/);
      assert.match(r.stdout, /^nss\s+nss\s+yes\s+no\s+enforced\s/m);
      assert.match(r.stdout, /name constraints:\n\s+nss: Chromium \(112 and later\) and Firefox enforce them/);
    } finally {
      cleanup(ws.dir);
    }
  } finally {
    cleanup(home);
  }
});

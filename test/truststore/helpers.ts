import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { createRootCa, issueLeaf, parseCaCertificate } from '../../src-main/pki/certificates.ts';
import { exportPkcs8Der, generateKey, plainPkcs8Pem } from '../../src-main/pki/keys.ts';
import { sh, tempDir } from '../helpers/cli.ts';

export const FAKE_TOOLS = resolve(import.meta.dirname, 'fake-tools');

export interface TestCa {
  pem: string;
  leaf(names: { dns?: string[]; ips?: string[] }): Promise<{ certPem: string; keyPem: string }>;
}

/** A real CA made by our own PKI code, and leaves it signs. */
export async function makeCa(name = 'Trust Test CA'): Promise<TestCa> {
  const ca = await createRootCa({ name, keyType: 'ecdsa-p256', days: 30 });
  const material = { certPem: ca.certPem, cert: parseCaCertificate(ca.certPem), signingKey: ca.key.privateKey, keyType: 'ecdsa-p256' as const };
  return {
    pem: ca.certPem,
    async leaf({ dns = [], ips = [] }) {
      const key = await generateKey('ecdsa-p256');
      const leaf = await issueLeaf(material, { commonName: dns[0] ?? ips[0] ?? 'node', dns, ips, server: true, client: false, days: 30, publicKey: key.publicKey });
      return { certPem: leaf.certPem, keyPem: plainPkcs8Pem(await exportPkcs8Der(key.privateKey)) };
    },
  };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * A bin folder holding only the named fake tools (installed name -> file in fake-tools/), and an
 * environment whose PATH puts it first and leaves out sbin, so no real administrator tool of this
 * machine (Debian's update-ca-certificates above all) can run from a fake-root test.
 */
export function fakeTools(tools: Record<string, string>): { bin: string; log: string; state: string; dir: string; processEnv(root: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv; calls(): string[] } {
  const dir = tempDir('ct-fake-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  copyFileSync(join(FAKE_TOOLS, '_log.sh'), join(bin, '_log.sh'));
  for (const [name, file] of Object.entries(tools)) {
    copyFileSync(join(FAKE_TOOLS, file), join(bin, name));
    chmodSync(join(bin, name), 0o755);
  }
  const log = join(dir, 'calls.log');
  const state = join(dir, 'state');
  writeFileSync(log, '');
  return {
    bin,
    log,
    state,
    dir,
    processEnv: (root, extra = {}) => ({ PATH: `${bin}:/usr/bin:/bin`, HOME: dir, FAKE_ROOT: root, FAKE_LOG: log, FAKE_STATE: state, ...extra }),
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
  };
}

/** Puts a fake tool at an absolute path under a fake root (FreeBSD's /usr/sbin/mtree, ca_root_nss_util). */
export function placeUnderRoot(root: string, path: string, fixture: string): void {
  const dest = join(root, path);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(join(FAKE_TOOLS, fixture), dest);
  chmodSync(dest, 0o755);
}

/** The argv a fake tool logged, in its `name [a] [b]` form. */
export function logged(argv: string[]): string {
  return [argv[0]!.split('/').pop(), ...argv.slice(1).map((a) => `[${a}]`)].join(' ');
}

export function mkdirs(root: string, ...dirs: string[]): void {
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
}

export { existsSync };

/** A new, empty NSS database (no password), as a browser's first run makes one. */
export function newNssDb(dir: string): string {
  mkdirSync(dir, { recursive: true });
  sh('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  return dir;
}

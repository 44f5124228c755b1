import { APPLE_TRUST } from './name-constraints.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { adminUnlessRoot } from './admin.ts';
import { findTool, packageFor, rooted } from './env.ts';
import { fingerprintsIn } from './ca-cert.ts';
import { toolFailed, type Executor } from './exec.ts';
import type { TrustedCa } from './ca-cert.ts';
import type { Presence, StoreChange, TrustEnv, TrustStore } from './types.ts';

export const SYSTEM_KEYCHAIN = '/Library/Keychains/System.keychain';

interface MacState extends Presence {
  inKeychain: boolean;
  hasTrust: boolean;
}

/**
 * Is our CA in the System keychain (by SHA-256 of the PEM that find-certificate prints), and does it
 * carry admin trust settings? The trust-settings export is keyed by the certificate's SHA-1 hash, so
 * both checks match the certificate's bytes, never its name.
 */
async function macState(ca: TrustedCa, env: TrustEnv, exec: Executor): Promise<MacState> {
  const keychain = rooted(env, SYSTEM_KEYCHAIN);
  const find = ['security', 'find-certificate', '-a', '-Z', '-p', keychain];
  const listed = await exec.probe(find);
  if (listed.code !== 0) throw toolFailed(find, listed);
  const inKeychain = fingerprintsIn(Buffer.from(listed.stdout)).includes(ca.sha256)
    || new RegExp(`SHA-256 hash:\\s*${ca.sha256}`, 'i').test(listed.stdout);
  const dir = mkdtempSync(join(tmpdir(), 'cluster-trust-mac-'));
  try {
    const plist = join(dir, 'trust.plist');
    const exportArgv = ['security', 'trust-settings-export', '-d', plist];
    // Exits non-zero when no admin trust settings exist at all: that just means "none".
    const exported = await exec.probe(exportArgv);
    const text = exported.code === 0 && existsSync(plist) ? readFileSync(plist, 'utf8') : '';
    const hasTrust = new RegExp(`<key>${ca.sha1}</key>`, 'i').test(text);
    return {
      installed: inKeychain && hasTrust,
      inKeychain,
      hasTrust,
      locations: inKeychain ? [keychain] : [],
      probes: [find, exportArgv],
      note: inKeychain && !hasTrust ? 'in the System keychain but without trust settings' : undefined,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** macOS: the System keychain with admin trust settings (what Safari, Chrome and curl use). */
export const macosStore: TrustStore = {
  id: 'macos',
  kind: 'system',
  nameConstraints: APPLE_TRUST,
  title: 'macOS System keychain',
  platforms: ['darwin'],

  async detect(env) {
    if (env.platform !== 'darwin') return { present: false, note: 'not macOS' };
    if (!findTool(env, 'security')) return { present: true, missingTool: { tool: 'security', package: packageFor('security', env) } };
    return { present: true };
  },

  async isInstalled(ca, env, exec) {
    const { inKeychain: _k, hasTrust: _t, ...presence } = await macState(ca, env, exec);
    return presence;
  },

  async install(ca, caFile, env, exec): Promise<StoreChange> {
    const keychain = rooted(env, SYSTEM_KEYCHAIN);
    const before = await macState(ca, env, exec);
    if (before.installed) return { installed: true, changed: false, commands: [], locations: before.locations, message: `already trusted (${keychain})` };
    // -d: admin trust settings; -r trustRoot: trusted as a root for every policy.
    const commands = [['security', 'add-trusted-cert', '-d', '-r', 'trustRoot', '-k', keychain, caFile]];
    const { elevated } = await exec.apply(commands, { admin: adminUnlessRoot(env), store: macosStore.title });
    if (exec.dryRun) return { installed: true, changed: false, commands, elevated, locations: [keychain], message: `would add the CA to ${keychain} as a trusted root` };
    const after = await macState(ca, env, exec);
    if (!after.installed) throw new UserError('tool-failed', `the CA is still not trusted in ${keychain}${after.note ? ` (${after.note})` : ''}`);
    return { installed: true, changed: true, commands, elevated, locations: after.locations, message: `trusted in ${keychain}` };
  },

  async uninstall(ca, caFile, env, exec): Promise<StoreChange> {
    const keychain = rooted(env, SYSTEM_KEYCHAIN);
    const before = await macState(ca, env, exec);
    if (!before.inKeychain && !before.hasTrust) return { installed: false, changed: false, commands: [], locations: [], message: 'not present: nothing to remove' };
    const commands = [
      ...(before.hasTrust ? [['security', 'remove-trusted-cert', '-d', caFile]] : []),
      // delete-certificate addresses a certificate by its SHA-1 hash (upper-case hex).
      ...(before.inKeychain ? [['security', 'delete-certificate', '-Z', ca.sha1.toUpperCase(), keychain]] : []),
    ];
    const { elevated } = await exec.apply(commands, { admin: adminUnlessRoot(env), store: macosStore.title });
    if (exec.dryRun) return { installed: false, changed: false, commands, elevated, locations: before.locations, message: `would remove the CA and its trust settings from ${keychain}` };
    const after = await macState(ca, env, exec);
    if (after.inKeychain || after.hasTrust) throw new UserError('tool-failed', `the CA is still in ${keychain}`);
    return { installed: false, changed: true, commands, elevated, locations: [], message: `removed from ${keychain}` };
  },
};

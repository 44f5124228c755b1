import { WINDOWS_CRYPTOAPI } from './name-constraints.ts';
import { UserError } from '../errors.ts';
import { adminUnlessRoot } from './admin.ts';
import { toolFailed, type Executor } from './exec.ts';
import type { TrustedCa } from './ca-cert.ts';
import type { Presence, StoreChange, TrustEnv, TrustStore } from './types.ts';

export const WINDOWS_STORE = 'Root';
const WHERE = 'LocalMachine\\Root';

/**
 * Thumbprints in `certutil -store Root`. certutil prints only the SHA-1 thumbprint, a hash of the
 * whole certificate like SHA-256 (so still a match by content, never by name); some Windows
 * versions space the hex out.
 */
export function thumbprintsInCertutil(output: string): string[] {
  return [...output.matchAll(/Cert Hash\(sha1\):\s*([0-9a-fA-F ]+)/g)].map((m) => m[1]!.replace(/\s+/g, '').toLowerCase());
}

async function windowsState(ca: TrustedCa, _env: TrustEnv, exec: Executor): Promise<Presence> {
  const list = ['certutil', '-store', WINDOWS_STORE];
  const r = await exec.probe(list);
  // An empty store makes certutil exit non-zero on some versions; only a missing tool is an error.
  if (r.code === 127) throw toolFailed(list, r);
  const found = thumbprintsInCertutil(r.stdout).includes(ca.sha1);
  return { installed: found, locations: found ? [WHERE] : [], probes: [list] };
}

/** Windows: the local machine's Trusted Root Certification Authorities (Edge, Chrome, curl/schannel). */
export const windowsStore: TrustStore = {
  id: 'windows',
  kind: 'system',
  nameConstraints: WINDOWS_CRYPTOAPI,
  title: 'Windows Root store',
  platforms: ['win32'],

  async detect(env) {
    return env.platform === 'win32' ? { present: true } : { present: false, note: 'not Windows' };
  },

  isInstalled: windowsState,

  async install(ca, caFile, env, exec): Promise<StoreChange> {
    const before = await windowsState(ca, env, exec);
    if (before.installed) return { installed: true, changed: false, commands: [], locations: before.locations, message: `already trusted (${WHERE})` };
    const commands = [['certutil', '-addstore', '-f', WINDOWS_STORE, caFile]];
    const { elevated } = await exec.apply(commands, { admin: adminUnlessRoot(env), store: windowsStore.title });
    if (exec.dryRun) return { installed: true, changed: false, commands, elevated, locations: [WHERE], message: `would add the CA to ${WHERE}` };
    const after = await windowsState(ca, env, exec);
    if (!after.installed) throw new UserError('tool-failed', `the CA is still not in ${WHERE}`);
    return { installed: true, changed: true, commands, elevated, locations: after.locations, message: `trusted in ${WHERE}` };
  },

  async uninstall(ca, _caFile, env, exec): Promise<StoreChange> {
    const before = await windowsState(ca, env, exec);
    if (!before.installed) return { installed: false, changed: false, commands: [], locations: [], message: 'not present: nothing to remove' };
    // By thumbprint rather than serial: another issuer's certificate may share our serial number.
    const commands = [['certutil', '-delstore', WINDOWS_STORE, ca.sha1]];
    const { elevated } = await exec.apply(commands, { admin: adminUnlessRoot(env), store: windowsStore.title });
    if (exec.dryRun) return { installed: false, changed: false, commands, elevated, locations: before.locations, message: `would remove the CA from ${WHERE}` };
    const after = await windowsState(ca, env, exec);
    if (after.installed) throw new UserError('tool-failed', `the CA is still in ${WHERE}`);
    return { installed: false, changed: true, commands, elevated, locations: [], message: `removed from ${WHERE}` };
  },
};

import { JAVA_PKIX } from './name-constraints.ts';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { findTool, needsAdmin, packageFor } from './env.ts';
import { adminUnlessRoot } from './admin.ts';
import { fingerprintsIn } from './ca-cert.ts';
import { toolFailed, type Executor } from './exec.ts';
import type { TrustedCa } from './ca-cert.ts';
import type { Detection, Presence, StoreChange, TrustEnv, TrustStore } from './types.ts';

interface JavaTarget {
  keytool: string;
  /** `-keystore PATH`, or `-cacerts` (Java 9+: the running JDK's own). */
  storeArgs: string[];
  /** The keystore file, when we know it (to tell whether changing it needs the administrator). */
  path: string | null;
}

function cacertsUnder(javaHome: string): string | null {
  for (const p of ['lib/security/cacerts', 'jre/lib/security/cacerts']) if (existsSync(join(javaHome, p))) return join(javaHome, p);
  return null;
}

/** Which keytool and which keystore: an explicit keystore, else $JAVA_HOME's, else the JDK on PATH. */
function locate(env: TrustEnv): JavaTarget | Detection {
  const homeTool = env.javaHome ? findTool(env, join(env.javaHome, 'bin', 'keytool')) : null;
  const keytool = homeTool ?? (findTool(env, 'keytool') ? 'keytool' : null);
  if (env.javaKeystore) {
    if (!existsSync(env.javaKeystore)) return { present: false, note: `no keystore at ${env.javaKeystore}` };
    if (!keytool) return { present: true, missingTool: { tool: 'keytool', package: packageFor('keytool', env) } };
    return { keytool, storeArgs: ['-keystore', env.javaKeystore], path: env.javaKeystore };
  }
  if (env.javaHome) {
    const cacerts = cacertsUnder(env.javaHome);
    if (!cacerts) return { present: false, note: `JAVA_HOME (${env.javaHome}) has no lib/security/cacerts` };
    if (!homeTool) return { present: true, missingTool: { tool: 'keytool', package: packageFor('keytool', env) } };
    return { keytool: homeTool, storeArgs: ['-keystore', cacerts], path: cacerts };
  }
  const onPath = findTool(env, 'keytool');
  if (!onPath) return { present: false, note: 'no Java runtime found (JAVA_HOME is unset and keytool is not on PATH)' };
  let path: string | null = null;
  try {
    path = cacertsUnder(dirname(dirname(realpathSync(onPath))));
    if (path) path = realpathSync(path);
  } catch {
    path = null;
  }
  return { keytool: 'keytool', storeArgs: ['-cacerts'], path };
}

function target(env: TrustEnv): JavaTarget {
  const t = locate(env);
  if ('keytool' in t) return t;
  throw new UserError('not-found', t.missingTool ? `${t.missingTool.tool} is missing: install ${t.missingTool.package}` : t.note ?? 'no Java keystore');
}

/** Aliases of trusted-certificate entries in `keytool -list -rfc` whose certificate is ours. */
export function aliasesHolding(listing: string, sha256: string): string[] {
  const out: string[] = [];
  for (const section of listing.split(/^Alias name: /m).slice(1)) {
    const alias = section.slice(0, section.indexOf('\n')).trim();
    // Only trusted-certificate entries: a key entry whose chain merely contains our CA is someone's key.
    if (!/^Entry type: trustedCertEntry/m.test(section)) continue;
    if (fingerprintsIn(Buffer.from(section)).includes(sha256)) out.push(alias);
  }
  return out;
}

async function javaState(ca: TrustedCa, env: TrustEnv, exec: Executor): Promise<Presence & { aliases: string[]; t: JavaTarget }> {
  const t = target(env);
  // English output whatever the locale, so "Alias name:" parses.
  const list = [t.keytool, '-J-Duser.language=en', '-list', '-rfc', ...t.storeArgs, '-storepass', env.javaStorePass];
  const r = await exec.probe(list);
  if (r.code !== 0) throw toolFailed(list, r);
  const aliases = aliasesHolding(r.stdout, ca.sha256);
  const where = t.path ?? 'the JDK cacerts';
  return { installed: aliases.length > 0, aliases, t, locations: aliases.map((a) => `${where} (alias ${a})`), probes: [list] };
}

/** Java's cacerts through keytool, when a JDK or JRE is present. */
export const javaStore: TrustStore = {
  id: 'java',
  kind: 'java',
  nameConstraints: JAVA_PKIX,
  title: 'Java cacerts',
  platforms: ['linux', 'darwin', 'win32', 'freebsd'],

  async detect(env) {
    const t = locate(env);
    return 'keytool' in t ? { present: true } : t;
  },

  async isInstalled(ca, env, exec) {
    const { aliases: _a, t: _t, ...presence } = await javaState(ca, env, exec);
    return presence;
  },

  async install(ca, caFile, env, exec): Promise<StoreChange> {
    const before = await javaState(ca, env, exec);
    if (before.installed) return { installed: true, changed: false, commands: [], locations: before.locations, message: `already trusted (${before.locations.join(', ')})` };
    const { t } = before;
    const commands = [[t.keytool, '-importcert', '-noprompt', '-alias', ca.label, '-file', caFile, ...t.storeArgs, '-storepass', env.javaStorePass]];
    const { elevated } = await exec.apply(commands, { admin: t.path ? needsAdmin(env, [t.path]) : adminUnlessRoot(env), store: javaStore.title });
    if (exec.dryRun) return { installed: true, changed: false, commands, elevated, locations: [t.path ?? 'the JDK cacerts'], message: `would import the CA as alias ${ca.label}` };
    const after = await javaState(ca, env, exec);
    if (!after.installed) throw new UserError('tool-failed', `keytool ran but ${t.path ?? 'cacerts'} does not hold the CA`);
    return { installed: true, changed: true, commands, elevated, locations: after.locations, message: `imported as alias ${ca.label}` };
  },

  async uninstall(ca, _caFile, env, exec): Promise<StoreChange> {
    const before = await javaState(ca, env, exec);
    if (!before.installed) return { installed: false, changed: false, commands: [], locations: [], message: 'not present: nothing to remove' };
    const { t } = before;
    const commands = before.aliases.map((alias) => [t.keytool, '-delete', '-alias', alias, ...t.storeArgs, '-storepass', env.javaStorePass]);
    const { elevated } = await exec.apply(commands, { admin: t.path ? needsAdmin(env, [t.path]) : adminUnlessRoot(env), store: javaStore.title });
    if (exec.dryRun) return { installed: false, changed: false, commands, elevated, locations: before.locations, message: `would delete alias ${before.aliases.join(', ')}` };
    const after = await javaState(ca, env, exec);
    if (after.installed) throw new UserError('tool-failed', `keytool ran but ${t.path ?? 'cacerts'} still holds the CA`);
    return { installed: false, changed: true, commands, elevated, locations: [], message: `deleted alias ${before.aliases.join(', ')}` };
  },
};

import { NSS_BROWSERS } from './name-constraints.ts';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.ts';
import { findTool, isDir, needsAdmin, packageFor } from './env.ts';
import { fingerprintsIn } from './ca-cert.ts';
import { toolFailed, type Executor } from './exec.ts';
import type { TrustedCa } from './ca-cert.ts';
import type { Presence, StoreChange, TrustEnv, TrustStore } from './types.ts';

/** Where Chromium and Firefox keep their NSS databases, per OS; `*` is one level of profile folders. */
function candidateDbs(env: TrustEnv): string[] {
  const h = env.home;
  switch (env.platform) {
    case 'darwin':
      return [join(h, 'Library/Application Support/Firefox/Profiles/*')];
    case 'linux':
    case 'freebsd':
      return [
        join(h, '.pki/nssdb'),
        join(h, 'snap/chromium/current/.pki/nssdb'),
        join(h, '.var/app/org.chromium.Chromium/.pki/nssdb'),
        join(h, '.mozilla/firefox/*'),
        join(h, 'snap/firefox/common/.mozilla/firefox/*'),
        join(h, '.var/app/org.mozilla.firefox/.mozilla/firefox/*'),
      ];
    default:
      return [];
  }
}

function expand(pattern: string): string[] {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  try {
    return readdirSync(parent).sort().map((n) => join(parent, n));
  } catch {
    return [];
  }
}

/** NSS databases in the modern SQL format (cert9.db); the legacy DBM format is not written any more. */
export function nssDatabases(env: TrustEnv): string[] {
  const dirs = env.nssDbs ?? candidateDbs(env).flatMap(expand);
  return dirs.filter((d) => isDir(d) && existsSync(join(d, 'cert9.db')));
}

/** certutil from PATH, or Homebrew's on macOS. */
function certutil(env: TrustEnv): string | null {
  if (findTool(env, 'certutil')) return 'certutil';
  if (env.platform === 'darwin') {
    for (const p of ['/opt/homebrew/opt/nss/bin/certutil', '/usr/local/opt/nss/bin/certutil']) if (findTool(env, p)) return p;
  }
  return null;
}

/** `certutil -L` rows: nickname and trust flags (SSL,S/MIME,JAR/XPI). */
export function parseCertutilList(output: string): Array<{ nickname: string; trust: string }> {
  const rows: Array<{ nickname: string; trust: string }> = [];
  for (const line of output.split('\n')) {
    const m = line.match(/^(.*\S)\s+([A-Za-z]*,[A-Za-z]*,[A-Za-z]*)\s*$/);
    if (m && !/^Certificate Nickname/.test(m[1]!)) rows.push({ nickname: m[1]!, trust: m[2]! });
  }
  return rows;
}

interface DbState {
  db: string;
  /** Nicknames whose certificate is ours (by SHA-256). */
  nicknames: string[];
  /** Trusted to issue server certificates (C in the SSL field). */
  trusted: boolean;
}

async function dbStates(ca: TrustedCa, env: TrustEnv, exec: Executor, tool: string): Promise<{ dbs: DbState[]; probes: string[][] }> {
  const probes: string[][] = [];
  const dbs: DbState[] = [];
  for (const db of nssDatabases(env)) {
    const list = [tool, '-L', '-d', `sql:${db}`];
    probes.push(list);
    const r = await exec.probe(list);
    if (r.code !== 0) throw toolFailed(list, r);
    const state: DbState = { db, nicknames: [], trusted: false };
    // Each nickname's PEM, hashed: NSS matches by name, we match by content.
    for (const row of parseCertutilList(r.stdout)) {
      const show = [tool, '-L', '-d', `sql:${db}`, '-n', row.nickname, '-a'];
      probes.push(show);
      const pem = await exec.probe(show);
      if (pem.code === 0 && fingerprintsIn(Buffer.from(pem.stdout)).includes(ca.sha256)) {
        state.nicknames.push(row.nickname);
        if (row.trust.split(',')[0]!.includes('C')) state.trusted = true;
      }
    }
    dbs.push(state);
  }
  return { dbs, probes };
}

function presence(dbs: DbState[], probes: string[][]): Presence {
  const holding = dbs.filter((d) => d.trusted);
  const untrusted = dbs.filter((d) => d.nicknames.length > 0 && !d.trusted);
  return {
    installed: dbs.length > 0 && holding.length === dbs.length,
    locations: holding.map((d) => d.db),
    probes,
    note: holding.length > 0 && holding.length < dbs.length ? `in ${holding.length} of ${dbs.length} NSS databases`
      : untrusted.length > 0 ? `present without CA trust in ${untrusted.map((d) => d.db).join(', ')}` : undefined,
  };
}

/** NSS databases: Chromium on Linux (~/.pki/nssdb) and every Firefox profile found. */
export const nssStore: TrustStore = {
  id: 'nss',
  kind: 'nss',
  nameConstraints: NSS_BROWSERS,
  title: 'NSS databases (Chromium, Firefox)',
  // On Windows Firefox reads the OS root store, and the certutil there is Microsoft's, not NSS's.
  platforms: ['linux', 'darwin', 'freebsd'],

  async detect(env) {
    if (!nssStore.platforms.includes(env.platform)) return { present: false, note: 'browsers here use the OS store' };
    const dbs = nssDatabases(env);
    if (dbs.length === 0) return { present: false, note: 'no NSS database found (Chromium\'s ~/.pki/nssdb or a Firefox profile)' };
    if (!certutil(env)) return { present: true, missingTool: { tool: 'certutil', package: packageFor('certutil', env) } };
    return { present: true };
  },

  async isInstalled(ca, env, exec) {
    const { dbs, probes } = await dbStates(ca, env, exec, certutil(env) ?? 'certutil');
    return presence(dbs, probes);
  },

  async install(ca, caFile, env, exec): Promise<StoreChange> {
    const tool = certutil(env) ?? 'certutil';
    const before = await dbStates(ca, env, exec, tool);
    const commands: string[][] = [];
    for (const d of before.dbs) {
      if (d.trusted) continue;
      // C,, : a trusted CA for TLS server certificates; nothing for mail or code signing.
      if (d.nicknames.length > 0) commands.push([tool, '-M', '-d', `sql:${d.db}`, '-n', d.nicknames[0]!, '-t', 'C,,']);
      else commands.push([tool, '-A', '-d', `sql:${d.db}`, '-t', 'C,,', '-n', ca.label, '-i', caFile]);
    }
    if (commands.length === 0) return { installed: true, changed: false, commands, locations: before.dbs.map((d) => d.db), message: `already trusted (${before.dbs.length} NSS database(s))` };
    const { elevated } = await exec.apply(commands, { admin: needsAdmin(env, before.dbs.map((d) => d.db)), store: nssStore.title });
    if (exec.dryRun) return { installed: true, changed: false, commands, elevated, locations: before.dbs.map((d) => d.db), message: `would trust the CA in ${commands.length} NSS database(s)` };
    const after = presence((await dbStates(ca, env, exec, tool)).dbs, []);
    if (!after.installed) throw new UserError('tool-failed', `certutil ran but the CA is not trusted in every NSS database (${after.note ?? 'none'})`);
    return { installed: true, changed: true, commands, elevated, locations: after.locations, message: `trusted in ${commands.length} NSS database(s)` };
  },

  async uninstall(ca, _caFile, env, exec): Promise<StoreChange> {
    const tool = certutil(env) ?? 'certutil';
    const before = await dbStates(ca, env, exec, tool);
    const commands = before.dbs.flatMap((d) => d.nicknames.map((n) => [tool, '-D', '-d', `sql:${d.db}`, '-n', n]));
    if (commands.length === 0) return { installed: false, changed: false, commands, locations: [], message: 'not present: nothing to remove' };
    const { elevated } = await exec.apply(commands, { admin: needsAdmin(env, before.dbs.map((d) => d.db)), store: nssStore.title });
    if (exec.dryRun) return { installed: false, changed: false, commands, elevated, locations: before.dbs.filter((d) => d.nicknames.length).map((d) => d.db), message: `would remove the CA from ${commands.length} NSS database(s)` };
    const after = (await dbStates(ca, env, exec, tool)).dbs.filter((d) => d.nicknames.length > 0);
    if (after.length > 0) throw new UserError('tool-failed', `certutil ran but the CA is still in ${after.map((d) => d.db).join(', ')}`);
    return { installed: false, changed: true, commands, elevated, locations: [], message: `removed from ${commands.length} NSS database(s)` };
  },
};

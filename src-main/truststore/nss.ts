import { NSS_BROWSERS } from './name-constraints.ts';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { findTool, isDir, needsAdmin, packageFor } from './env.ts';
import { fingerprintsIn } from './ca-cert.ts';
import { runArgv, toolFailed, type Executor } from './exec.ts';
import { CHROMIUM_BINARIES, chromiumNewDb, nssLocations, type NssLocation } from './nss-locations.ts';
import type { TrustedCa } from './ca-cert.ts';
import type { Presence, StoreChange, StoreDatabase, TrustEnv, TrustStore } from './types.ts';

/** NSS databases in the modern SQL format (cert9.db), each with its browser; the legacy DBM format is not written any more. */
export function nssDatabases(env: TrustEnv): NssLocation[] {
  const all = env.nssDbs?.map((dir) => ({ browser: 'NSS database', dir })) ?? nssLocations(env);
  return all.filter((l) => isDir(l.dir) && existsSync(join(l.dir, 'cert9.db')));
}

/** A Chromium on PATH with no database of its own yet, and the folder its first run will open. */
interface NeverRun {
  name: string;
  dir: string;
}

/**
 * Chromium installed but never run has no NSS database, so nothing would make its first run trust
 * the CA: install creates the database where that version will look. Snap and Flatpak builds are
 * left alone (their folders appear with the first run of the sandbox).
 */
async function chromiumNeverRun(env: TrustEnv, found: NssLocation[]): Promise<NeverRun | null> {
  if (env.nssDbs || (env.platform !== 'linux' && env.platform !== 'freebsd')) return null;
  const own = [chromiumNewDb(env, null), chromiumNewDb(env, 0)];
  if (found.some((l) => own.includes(l.dir))) return null;
  for (const name of CHROMIUM_BINARIES) {
    const bin = findTool(env, name);
    if (!bin || /^\/(snap|var\/lib\/flatpak)\//.test(realpathOr(bin))) continue;
    // "Chromium 156.0.8078.114 built on Debian", "Google Chrome 146.0.7680.80"
    // A browser that hangs or prints nonsense only loses its version: today's place is used.
    const version = await runArgv([bin, '--version'], env.processEnv, 15_000);
    const m = version.stdout.match(/^\s*([A-Za-z][\w .-]{0,40}?)?\s*(\d{1,4})\.\d+/);
    const major = version.code === 0 && m ? Number(m[2]) : null;
    return { name: m && major !== null ? `${m[1] || 'Chromium'} ${major}` : name, dir: chromiumNewDb(env, major) };
  }
  return null;
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The folders from the top down that `mkdir -m 0700` makes for `dir` (each one, so every new folder is private). */
function missingFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let p = dir; !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.unshift(p);
  return missing;
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
  browser: string;
  /** Set when the database does not exist yet: which browser's first run will open it. */
  neverRun?: string;
  /** Nicknames whose certificate is ours (by SHA-256). */
  nicknames: string[];
  /** Trusted to issue server certificates (C in the SSL field). */
  trusted: boolean;
}

async function dbStates(ca: TrustedCa, env: TrustEnv, exec: Executor, tool: string, withNeverRun: boolean): Promise<{ dbs: DbState[]; probes: string[][] }> {
  const probes: string[][] = [];
  const dbs: DbState[] = [];
  const found = nssDatabases(env);
  for (const { dir: db, browser } of found) {
    const list = [tool, '-L', '-d', `sql:${db}`];
    probes.push(list);
    const r = await exec.probe(list);
    if (r.code !== 0) throw toolFailed(list, r);
    const state: DbState = { db, browser, nicknames: [], trusted: false };
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
  const neverRun = withNeverRun ? await chromiumNeverRun(env, found) : null;
  if (neverRun) dbs.push({ db: neverRun.dir, browser: 'Chromium', neverRun: neverRun.name, nicknames: [], trusted: false });
  return { dbs, probes };
}

function databases(dbs: DbState[]): StoreDatabase[] {
  return dbs.map((d) => ({ browser: d.browser, path: d.db, trusted: d.trusted, ...(d.neverRun ? { toCreate: true } : {}) }));
}

function presence(dbs: DbState[], probes: string[][]): Presence {
  const holding = dbs.filter((d) => d.trusted);
  const untrusted = dbs.filter((d) => d.nicknames.length > 0 && !d.trusted);
  const toCreate = dbs.find((d) => d.neverRun);
  return {
    installed: dbs.length > 0 && holding.length === dbs.length,
    locations: holding.map((d) => d.db),
    probes,
    databases: databases(dbs),
    note: toCreate ? `${toCreate.neverRun} is installed but has never run: install creates its database ${toCreate.db}`
      : holding.length > 0 && holding.length < dbs.length ? `in ${holding.length} of ${dbs.length} NSS databases`
      : untrusted.length > 0 ? `present without CA trust in ${untrusted.map((d) => d.db).join(', ')}` : undefined,
  };
}

/** NSS databases: Chromium's on Linux (XDG_DATA_HOME/pki/nssdb, ~/.pki/nssdb, snap, Flatpak) and every Firefox profile found. */
export const nssStore: TrustStore = {
  id: 'nss',
  kind: 'nss',
  nameConstraints: NSS_BROWSERS,
  title: 'NSS databases (Chromium, Firefox)',
  // On Windows Firefox reads the OS root store, and the certutil there is Microsoft's, not NSS's.
  platforms: ['linux', 'darwin', 'freebsd'],

  async detect(env) {
    if (!nssStore.platforms.includes(env.platform)) return { present: false, note: 'browsers here use the OS store' };
    if (nssDatabases(env).length === 0 && !(await chromiumNeverRun(env, []))) {
      return { present: false, note: 'no NSS database found (no Chromium database, no Firefox profile)' };
    }
    if (!certutil(env)) return { present: true, missingTool: { tool: 'certutil', package: packageFor('certutil', env) } };
    return { present: true };
  },

  async isInstalled(ca, env, exec) {
    const { dbs, probes } = await dbStates(ca, env, exec, certutil(env) ?? 'certutil', true);
    return presence(dbs, probes);
  },

  async install(ca, caFile, env, exec): Promise<StoreChange> {
    const tool = certutil(env) ?? 'certutil';
    const before = await dbStates(ca, env, exec, tool, true);
    const commands: string[][] = [];
    for (const d of before.dbs) {
      if (d.trusted) continue;
      if (d.neverRun) {
        for (const dir of missingFolders(d.db)) commands.push(['mkdir', '-m', '0700', dir]);
        commands.push([tool, '-N', '-d', `sql:${d.db}`, '--empty-password']);
      }
      // C,, : a trusted CA for TLS server certificates; nothing for mail or code signing.
      if (d.nicknames.length > 0) commands.push([tool, '-M', '-d', `sql:${d.db}`, '-n', d.nicknames[0]!, '-t', 'C,,']);
      else commands.push([tool, '-A', '-d', `sql:${d.db}`, '-t', 'C,,', '-n', ca.label, '-i', caFile]);
    }
    if (commands.length === 0) return { installed: true, changed: false, commands, locations: before.dbs.map((d) => d.db), databases: databases(before.dbs), message: `already trusted (${before.dbs.length} NSS database(s))` };
    const created = before.dbs.filter((d) => d.neverRun).map((d) => ` (created ${d.db} for ${d.neverRun})`).join('');
    const changing = before.dbs.filter((d) => !d.trusted).length;
    const { elevated } = await exec.apply(commands, { admin: needsAdmin(env, before.dbs.map((d) => d.db)), store: nssStore.title });
    if (exec.dryRun) return { installed: true, changed: false, commands, elevated, locations: before.dbs.map((d) => d.db), databases: databases(before.dbs), message: `would trust the CA in ${changing} NSS database(s)${created.replace('created', 'creating')}` };
    const after = presence((await dbStates(ca, env, exec, tool, true)).dbs, []);
    if (!after.installed) throw new UserError('tool-failed', `certutil ran but the CA is not trusted in every NSS database (${after.note ?? 'none'})`);
    return { installed: true, changed: true, commands, elevated, locations: after.locations, databases: after.databases, message: `trusted in ${changing} NSS database(s)${created}` };
  },

  async uninstall(ca, _caFile, env, exec): Promise<StoreChange> {
    const tool = certutil(env) ?? 'certutil';
    const before = await dbStates(ca, env, exec, tool, false);
    const commands = before.dbs.flatMap((d) => d.nicknames.map((n) => [tool, '-D', '-d', `sql:${d.db}`, '-n', n]));
    if (commands.length === 0) return { installed: false, changed: false, commands, locations: [], message: 'not present: nothing to remove' };
    const { elevated } = await exec.apply(commands, { admin: needsAdmin(env, before.dbs.map((d) => d.db)), store: nssStore.title });
    if (exec.dryRun) return { installed: false, changed: false, commands, elevated, locations: before.dbs.filter((d) => d.nicknames.length).map((d) => d.db), message: `would remove the CA from ${commands.length} NSS database(s)` };
    const afterDbs = (await dbStates(ca, env, exec, tool, false)).dbs;
    const after = afterDbs.filter((d) => d.nicknames.length > 0);
    if (after.length > 0) throw new UserError('tool-failed', `certutil ran but the CA is still in ${after.map((d) => d.db).join(', ')}`);
    return { installed: false, changed: true, commands, elevated, locations: [], databases: databases(afterDbs), message: `removed from ${commands.length} NSS database(s)` };
  },
};

import { SYSTEM_OPENSSL } from './name-constraints.ts';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';
import { findTool, needsAdmin, packageFor, rooted } from './env.ts';
import { fileHolds, filesHolding } from './scan.ts';
import { posixCommand } from './shell.ts';
import type { TrustedCa } from './ca-cert.ts';
import type { Executor } from './exec.ts';
import type { Detection, Presence, StoreChange, StoreId, TrustEnv, TrustStore } from './types.ts';

/**
 * The shape every Unix system store shares: our CA goes into an anchors folder as a file, and one
 * tool compiles the anchors into what programs read (a bundle, a hashed folder). Each OS file
 * fills in its folders and its tool; everything else (fingerprint search, no-op detection,
 * verification after the tool ran) lives here once.
 */
export interface AnchorStoreSpec {
  id: StoreId;
  title: string;
  platforms: readonly NodeJS.Platform[];
  /** Any of these existing (under the root) says the store is here... */
  markers: string[];
  /** ...unless one of these exists: it marks another OS that shares a marker. */
  excludedBy?: string[];
  /** Where our file goes. */
  anchorDir: string;
  extension: '.crt' | '.pem';
  /** Folders searched for our CA by fingerprint (the anchor folder included), with how deep to look. */
  scanDirs: Array<{ dir: string; depth: number }>;
  /** What programs read once the tool ran: a bundle file or a folder of certificates (null: no check). */
  compiled(env: TrustEnv): string | null;
  /** The tool that must be present; `null` when none of the alternatives is. */
  tool(env: TrustEnv): string | null;
  /** The tool reported missing when `tool` finds none. */
  missingToolName: string;
  /** Commands that compile the anchors after a change. */
  refresh(env: TrustEnv, after: 'install' | 'uninstall'): string[][];
  /** Commands before our file is written (create the folder the OS's way). */
  prepare?(env: TrustEnv, anchorDir: string): string[][];
  /** Files beyond the anchors that must go on uninstall (copies a tool keeps re-reading). */
  extraRemovals?(ca: TrustedCa, env: TrustEnv): string[];
}

interface AnchorState extends Presence {
  anchored: string[];
  /** The compiled output holds the CA (null when this store has no output we can check). */
  compiledHolds: boolean | null;
}

/** null: this store has no output we can check; false: not there (or not built yet). */
function compiledHolds(path: string | null, sha256: string): boolean | null {
  if (!path) return null;
  if (!existsSync(path)) return false;
  return statSync(path).isDirectory() ? filesHolding(path, sha256).length > 0 : fileHolds(path, sha256);
}

export function anchorStore(spec: AnchorStoreSpec): TrustStore & { spec: AnchorStoreSpec; anchorFile(ca: TrustedCa, env: TrustEnv): string } {
  const anchorDir = (env: TrustEnv) => rooted(env, spec.anchorDir);
  const anchorFile = (ca: TrustedCa, env: TrustEnv) => join(anchorDir(env), `${ca.label}${spec.extension}`);

  function state(ca: TrustedCa, env: TrustEnv): AnchorState {
    const anchored = [...new Set(spec.scanDirs.flatMap((s) => filesHolding(rooted(env, s.dir), ca.sha256, s.depth)))];
    const compiledPath = spec.compiled(env);
    const holds = compiledHolds(compiledPath, ca.sha256);
    const installed = holds ?? anchored.length > 0;
    let note: string | undefined;
    if (anchored.length > 0 && holds === false) note = `anchored in ${anchored.join(', ')} but not yet in ${compiledPath}: run ${spec.refresh(env, 'install').map(posixCommand).join(' && ')}`;
    else if (anchored.length === 0 && holds === true) note = `trusted through ${compiledPath}, from a file outside ${spec.scanDirs.map((s) => rooted(env, s.dir)).join(', ')}`;
    return { installed, locations: holds ? [...anchored, compiledPath!] : anchored, probes: [], anchored, compiledHolds: holds, note };
  }

  async function verify(ca: TrustedCa, env: TrustEnv, want: boolean, commands: string[][]): Promise<AnchorState> {
    const after = state(ca, env);
    if (after.installed !== want) {
      const compiledPath = spec.compiled(env);
      const what = want ? `does not hold the CA after \`${commands.map(posixCommand).join(' && ')}\`` : `still holds the CA after \`${commands.map(posixCommand).join(' && ')}\``;
      throw new UserError('tool-failed', `the ${spec.title}: ${compiledPath ?? spec.anchorDir} ${what}${after.note ? ` (${after.note})` : ''}`);
    }
    return after;
  }

  return {
    id: spec.id,
    kind: 'system',
    title: spec.title,
    nameConstraints: SYSTEM_OPENSSL,
    platforms: spec.platforms,
    spec,
    anchorFile,

    async detect(env): Promise<Detection> {
      if (!spec.platforms.includes(env.platform)) return { present: false, note: `not a ${spec.platforms.join('/')} system` };
      const other = spec.excludedBy?.find((m) => existsSync(rooted(env, m)));
      if (other) return { present: false, note: `${rooted(env, other)} marks another system` };
      const present = spec.markers.some((m) => existsSync(rooted(env, m)));
      if (!present) {
        const names = spec.markers.map((m) => rooted(env, m));
        return { present: false, note: names.length === 1 ? `${names[0]} does not exist` : `none of ${names.join(', ')} exists` };
      }
      const tool = spec.tool(env);
      if (!tool || !findTool(env, tool)) {
        const name = tool ?? spec.missingToolName;
        return { present: true, missingTool: { tool: name, package: packageFor(name, env) } };
      }
      return { present: true };
    },

    async isInstalled(ca, env) {
      const { anchored: _a, compiledHolds: _c, ...presence } = state(ca, env);
      return presence;
    },

    async install(ca, caFile, env, exec: Executor): Promise<StoreChange> {
      const before = state(ca, env);
      if (before.installed) {
        return { installed: true, changed: false, commands: [], locations: before.locations, message: `already trusted (${before.locations.join(', ')})` };
      }
      const dir = anchorDir(env);
      const dest = anchorFile(ca, env);
      const commands = before.anchored.length > 0
        ? spec.refresh(env, 'install')
        : [...(spec.prepare?.(env, dir) ?? [['mkdir', '-p', dir]]), ['install', '-m', '0644', caFile, dest], ...spec.refresh(env, 'install')];
      const { elevated } = await exec.apply(commands, { admin: needsAdmin(env, [dir, spec.compiled(env) ?? dir]), store: spec.title });
      if (exec.dryRun) return { installed: true, changed: false, commands, elevated, locations: [dest], message: `would write ${dest} and run ${spec.refresh(env, 'install').map(posixCommand).join(' && ')}` };
      const after = await verify(ca, env, true, commands);
      return { installed: true, changed: true, commands, elevated, locations: after.locations, message: `trusted: ${before.anchored.length > 0 ? 'compiled the existing anchor' : `wrote ${dest}`}` };
    },

    async uninstall(ca, _caFile, env, exec: Executor): Promise<StoreChange> {
      const before = state(ca, env);
      if (!before.installed && before.anchored.length === 0) {
        return { installed: false, changed: false, commands: [], locations: [], message: 'not present: nothing to remove' };
      }
      const remove = [...new Set([...before.anchored, ...(spec.extraRemovals?.(ca, env) ?? [])])];
      const commands = [...(remove.length > 0 ? [['rm', '-f', ...remove]] : []), ...spec.refresh(env, 'uninstall')];
      // Removing a file takes write access to its folder.
      const admin = needsAdmin(env, [anchorDir(env), ...remove.map((f) => dirname(f)), spec.compiled(env) ?? anchorDir(env)]);
      const { elevated } = await exec.apply(commands, { admin, store: spec.title });
      if (exec.dryRun) return { installed: false, changed: false, commands, elevated, locations: before.locations, message: `would remove ${remove.join(', ') || 'nothing'} and recompile` };
      await verify(ca, env, false, commands);
      return { installed: false, changed: true, commands, elevated, locations: [], message: `removed ${remove.join(', ') || 'a stale compiled copy'}` };
    },
  };
}

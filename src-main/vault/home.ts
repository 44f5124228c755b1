import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The per-user folder the desktop app and the CLI share. Computed here rather than through
 * Electron's app.getPath so both processes agree without Electron being loaded.
 */
export function defaultAppDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Cluster Trust');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Cluster Trust');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Cluster Trust');
}

/** `--home` wins, then CLUSTER_TRUST_HOME, then the app-data folder's `vault`. */
export function resolveHome(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.CLUSTER_TRUST_HOME) return resolve(env.CLUSTER_TRUST_HOME);
  return join(defaultAppDataDir(env), 'vault');
}

import { posix } from 'node:path';
import { invalid } from '../errors.ts';

/**
 * Install paths end up unquoted in env files, shell lines, nginx, Apache, Caddy, pf and YAML.
 * Keeping them to a plain alphabet means no syntax has to escape them, so none can be broken.
 */
const SAFE_PATH = /^\/[A-Za-z0-9._+@/-]*$/;

export function checkInstallDir(dir: string): string {
  if (!SAFE_PATH.test(dir) || dir.split('/').includes('..')) {
    throw invalid(`the install folder "${dir}" can only hold letters, digits and . _ + @ - /: config files name it unquoted`, { cli: 'choose another with `node edit NAME --dest DIR`', app: 'choose another “Folder on the node” in the node\'s Edit form' });
  }
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

/** The absolute path on the node of a file the bundle puts at `rel`. */
export function installPath(installDir: string, rel: string): string {
  return posix.join(checkInstallDir(installDir), rel);
}

/** The three files every bundle holds, as seen on the node. */
export function tlsPaths(installDir: string): { ca: string; cert: string; key: string } {
  return { ca: installPath(installDir, 'ca.crt'), cert: installPath(installDir, 'node.crt'), key: installPath(installDir, 'node.key') };
}

/** A host as it appears in a URL: IPv6 in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

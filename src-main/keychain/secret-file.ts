import { statSync } from 'node:fs';
import { UserError } from '../errors.ts';

/**
 * Refuses a file holding a secret (a passphrase or password) that other users may read or write, as
 * OpenSSH refuses such private keys: a secret others can read is no longer one, and a file others can
 * write lets them pick it. The owner must be this user or root. POSIX modes only (Windows has ACLs).
 * A missing file is left to the caller's read, which names it.
 */
export function assertPrivateSecretFile(file: string, what: string): void {
  if (process.platform === 'win32') return;
  let st;
  try {
    st = statSync(file);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
    throw new UserError('refused', `the ${what} ${file} belongs to another user (uid ${st.uid}), who can change it; use a file of your own with \`chmod 600\``);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new UserError('refused', `the ${what} ${file} is accessible by other users (mode 0${(st.mode & 0o777).toString(8)}); run \`chmod 600 ${file}\` and try again`);
  }
}

// A private session bus with an unlocked gnome-keyring, so a benchmark measures the default
// configuration (the CA passphrase in the OS keychain) without touching the user's own keyring.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Keyring {
  /** Environment for the processes that use it. */
  env: Record<string, string>;
  stop(): void;
}

/** The keyring, or why there is none (no dbus-daemon or gnome-keyring-daemon on this machine). */
export function startKeyring(): Keyring | { why: string } {
  const bus = spawnSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { encoding: 'utf8' });
  const [address, pid] = (bus.stdout ?? '').split('\n');
  if (bus.status !== 0 || !address || !pid) return { why: `dbus-daemon: ${bus.error?.message ?? bus.stderr?.trim() ?? 'did not start'}` };
  const data = mkdtempSync(join(tmpdir(), 'ct-bench-keyring-'));
  const env = { DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: data };
  const stop = () => {
    try {
      process.kill(Number(pid)); // the keyring daemon leaves with its bus
    } catch {
      // already gone
    }
    rmSync(data, { recursive: true, force: true });
  };
  // A non-empty password: an empty one makes the daemon wait for a prompt that never comes.
  const keyring = spawnSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], { input: 'bench-keyring', encoding: 'utf8', env: { ...process.env, ...env } });
  const control = /GNOME_KEYRING_CONTROL=(\S+)/.exec(keyring.stdout ?? '')?.[1];
  if (keyring.status !== 0 || !control) {
    stop();
    return { why: `gnome-keyring-daemon: ${keyring.error?.message ?? keyring.stderr?.trim() ?? 'did not start'}` };
  }
  return { env: { ...env, GNOME_KEYRING_CONTROL: control }, stop };
}

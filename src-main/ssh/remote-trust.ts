import { UserError } from '../errors.ts';
import { detectOsScript, parseDetectedOs, remoteTrustScript, type RemoteOs } from '../truststore/index.ts';
import type { SshSession } from './connection.ts';

/**
 * Trusting our CA system-wide on a node. What to run for each OS belongs to the trust-store module
 * (one place knows every store); this file only runs its scripts over SSH: detect the OS, then the
 * install script through `sh -s` (with `sudo -n` when we are not root: never a password prompt).
 */

function asRoot(user: string, command: string): string {
  return user === 'root' ? command : `sudo -n ${command}`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}

export async function detectRemoteOs(session: SshSession): Promise<RemoteOs> {
  const r = await session.exec('sh -s', detectOsScript());
  if (r.code === null && r.signal === null) throw new UserError('io', 'the connection was lost while detecting the node\'s OS');
  if (r.code !== 0) throw new UserError('tool-failed', `cannot tell the node's OS: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  return parseDetectedOs(r.stdout);
}

/** Installs each CA PEM in the node's system store; a CA already there is left as it is. */
export async function trustCaOnNode(session: SshSession, user: string, caPems: string[]): Promise<string[]> {
  const os = await detectRemoteOs(session);
  const said: string[] = [];
  for (const pem of caPems) {
    const plan = remoteTrustScript(os, pem);
    const r = await session.exec(asRoot(user, 'sh -s'), plan.installScript);
    if (r.code === null && r.signal === null) throw new UserError('io', 'the connection was lost while trusting the CA');
    if (r.code !== 0) {
      const why = lastLine(r.stderr) || lastLine(r.stdout);
      throw new UserError('tool-failed', `trusting the CA on the node (${os}) failed (exit ${r.code})${why ? `: ${why}` : ''}`);
    }
    said.push(lastLine(r.stdout).replace(/^cluster-trust: /, ''));
  }
  return said;
}

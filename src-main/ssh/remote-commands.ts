import { UserError, invalid } from '../errors.ts';
import type { ExecResult, SshSession } from './connection.ts';
import type { Owner } from './manifest.ts';
import { parseOwnerSpec } from '../core/owner-spec.ts';

export { parseOwnerSpec };

/** The few things we ask a node's shell: owner ids, why a write failed, the restart command. */

export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop()?.trim() ?? '';
}

function lostOr(r: ExecResult, what: string): UserError | null {
  if (r.code === null && r.signal === null) return new UserError('io', `the connection was lost while ${what}`);
  return null;
}

/**
 * The numeric owner on the node. Names are looked up there (ids differ between machines), with the
 * user's primary group when no group is given.
 */
export async function resolveOwner(session: SshSession, spec: string): Promise<Owner> {
  const { user, group } = parseOwnerSpec(spec);
  const numeric = (v: string): boolean => /^\d+$/.test(v);
  if (numeric(user) && group !== undefined && numeric(group)) return { uid: Number(user), gid: Number(group) };
  const script = [
    `u=$(id -u -- ${shellQuote(user)}) || exit 3`,
    group === undefined
      ? `g=$(id -g -- ${shellQuote(user)}) || exit 3`
      : numeric(group)
        ? `g=${group}`
        : `g=$(getent group ${shellQuote(group)} | cut -d: -f3); [ -n "$g" ] || exit 4`,
    'echo "$u:$g"',
  ].join('\n');
  const r = await session.exec('sh -s', script);
  const lost = lostOr(r, 'looking up the owner');
  if (lost) throw lost;
  if (r.code === 3) throw invalid(`the owner user "${user}" does not exist on the node`);
  if (r.code === 4) throw invalid(`the owner group "${group}" does not exist on the node`);
  const ids = /^(\d+):(\d+)$/.exec(r.stdout.trim());
  if (r.code !== 0 || !ids) throw new UserError('tool-failed', `cannot look up the owner "${spec}" on the node: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  return { uid: Number(ids[1]), gid: Number(ids[2]) };
}

/**
 * SFTP reports most write failures as a bare "Failure". Ask the node's shell to do the same kind
 * of write in that folder and return the reason it gives ("Read-only file system", "Operation not
 * permitted"...), or null when the shell cannot tell.
 */
export async function diagnoseWrite(session: SshSession, dir: string): Promise<string | null> {
  if (session.closed) return null;
  // The folder is single-quoted (no expansion of anything in it); only $$ is left to the shell.
  const probe = `${shellQuote(`${dir}/.cluster-trust-probe.`)}$$`;
  const script = `LC_ALL=C; export LC_ALL\nmkdir -p -- ${shellQuote(dir)} 2>&1 || exit 1\ntouch -- ${probe} 2>&1 || exit 1\nrm -f -- ${probe}`;
  try {
    const r = await session.exec('sh -s', script);
    if (r.code === 0) return null;
    const line = lastLine(r.stdout + r.stderr);
    // "touch: cannot touch '/x/y': Read-only file system" -> "Read-only file system"
    return line.split(': ').pop() || null;
  } catch {
    return null;
  }
}

/** Runs the node's restart/reload command; rejects with its exit status and last error line. */
export async function runRestart(session: SshSession, command: string): Promise<void> {
  const r = await session.exec(command);
  const lost = lostOr(r, 'running the restart command');
  if (lost) throw lost;
  if (r.code !== 0) {
    const why = lastLine(r.stderr) || lastLine(r.stdout);
    throw new UserError('tool-failed', `the restart command failed (${r.code === null ? `signal ${r.signal}` : `exit ${r.code}`})${why ? `: ${why}` : ''}`);
  }
}

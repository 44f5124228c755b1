/**
 * Errors a user can act on. Everything that crosses the CLI or IPC boundary is turned into one of
 * these, so the user sees one plain sentence and never a stack trace.
 */
export type ErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'no-ca'
  | 'bad-passphrase'
  | 'no-passphrase'
  | 'keychain-unavailable'
  | 'vault-locked'
  | 'vault-corrupt'
  | 'io'
  | 'tool-failed'
  | 'cancelled'
  | 'refused'
  // Reaching a node over SSH: what went wrong, so a front end reacts by kind, never by wording.
  | 'unreachable'
  | 'timeout'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'auth-refused'
  /** The bundle is in place but the node does not serve it (the live TLS check after a push). */
  | 'verify-failed'
  | 'internal';

/**
 * How to fix it, in each front end's words: the CLI names its commands and flags, the app its own
 * buttons and fields. Both follow the same plain statement of what is wrong.
 */
export interface Fix {
  cli: string;
  app: string;
}

export class UserError extends Error {
  readonly code: ErrorCode;
  /** The sentence the desktop app shows (its buttons and fields, never CLI syntax). */
  readonly appMessage: string;
  /**
   * `message` is what is wrong; with `fix`, the CLI's message is `message: fix.cli` and the app's
   * `message: fix.app`. A string instead is the app's whole sentence (a field named differently).
   */
  constructor(code: ErrorCode, message: string, fix?: Fix | string) {
    super(fix === undefined || typeof fix === 'string' ? message : `${message}: ${fix.cli}`);
    this.name = 'UserError';
    this.code = code;
    this.appMessage = fix === undefined ? message : typeof fix === 'string' ? fix : `${message}: ${fix.app}`;
  }
}

export function invalid(message: string, fix?: Fix | string): UserError {
  return new UserError('invalid-input', message, fix);
}

/** Turns any thrown value into a UserError; unknown errors keep their message but no stack. */
export function toUserError(err: unknown): UserError {
  if (err instanceof UserError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    const where = e.path ? ` (${e.path})` : '';
    switch (e.code) {
      case 'EACCES':
      case 'EPERM':
        return new UserError('io', `permission denied${where}`);
      case 'EROFS':
        return new UserError('io', `read-only file system${where}`);
      case 'ENOSPC':
        return new UserError('io', `no space left on device${where}`);
      case 'ENOENT':
        return new UserError('not-found', `no such file or directory${where}`);
      case 'ENOTDIR':
        return new UserError('io', `not a directory${where}`);
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new UserError('internal', message || 'unexpected error');
}

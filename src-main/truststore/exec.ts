import { childProcess } from '../libs/node-builtins.ts';
import { UserError } from '../errors.ts';
import { posixBatch, posixCommand, cmdBatch, STEP_FAILED } from './shell.ts';
import { elevateWithOsPrompt, type Elevator } from './elevate.ts';
import type { TrustEnv } from './trust-env.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The tail of a tool's output: enough to act on, never a wall of text. */
function tail(text: string, max = 2000): string {
  const t = text.trim();
  return t.length > max ? `...${t.slice(-max)}` : t;
}

/** Runs one argv without a shell; never throws for a non-zero exit (callers decide). */
export function runArgv(argv: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = childProcess.execFile(argv[0]!, argv.slice(1), { env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (e && e.code === 'ENOENT') resolve({ code: 127, stdout: '', stderr: `${argv[0]}: command not found` });
      else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: stdout ?? '', stderr: stderr ?? '' });
    });
    // Tools that would ask for a password (a protected NSS database) must fail, not hang.
    child.stdin?.end();
  });
}

export function toolFailed(argv: string[], r: ExecResult): UserError {
  const why = tail(r.stderr) || tail(r.stdout) || 'no output';
  return new UserError('tool-failed', `\`${posixCommand(argv)}\` failed (exit ${r.code}): ${why}`);
}

/**
 * Runs a store's commands: directly, or as one batch behind one OS administrator prompt, or not at
 * all under dry run. Read-only probes always run directly.
 */
export class Executor {
  constructor(
    readonly env: TrustEnv,
    readonly dryRun: boolean,
    private readonly elevator: Elevator = elevateWithOsPrompt,
  ) {}

  probe(argv: string[]): Promise<ExecResult> {
    return runArgv(argv, this.env.processEnv);
  }

  /** Applies changes; throws a UserError naming the failing command and carrying its stderr. */
  async apply(commands: string[][], opts: { admin: boolean; store: string }): Promise<{ elevated: boolean }> {
    if (commands.length === 0 || this.dryRun) return { elevated: opts.admin };
    if (!opts.admin) {
      for (const argv of commands) {
        const r = await runArgv(argv, this.env.processEnv);
        if (r.code !== 0) throw toolFailed(argv, r);
      }
      return { elevated: false };
    }
    const script = this.env.platform === 'win32' ? cmdBatch(commands) : posixBatch(commands);
    try {
      await this.elevator(script, this.env.platform);
    } catch (err) {
      throw elevationError(err, commands, opts.store);
    }
    return { elevated: true };
  }
}

const CANCELLED = 'User did not grant permission.';
const NO_PROMPT = /No polkit authentication agent found|Unable to find pkexec or kdesudo|Platform not yet supported/;

function elevationError(err: unknown, commands: string[][], store: string): UserError {
  if (err instanceof UserError) return err;
  const e = err as Error & { stderr?: string };
  const message = e?.message ?? String(err);
  if (message === CANCELLED) {
    return new UserError('cancelled', `cancelled: the administrator prompt was dismissed, so nothing was changed in the ${store}`);
  }
  if (NO_PROMPT.test(message)) {
    const what = `the ${store} needs administrator rights and this system has no graphical prompt for them (${message})`;
    return new UserError('refused', `${what}; run the command again with sudo, or use --dry-run to see the exact commands`, `${what}; “Show commands” lists the exact commands to run as administrator`);
  }
  const stderr = e?.stderr ?? '';
  const step = stderr.match(new RegExp(`${STEP_FAILED} (\\d+)`));
  const argv = step ? commands[Number(step[1])] : undefined;
  const toolOutput = tail(stderr.replace(new RegExp(`${STEP_FAILED} \\d+\\s*`, 'g'), ''));
  if (argv) return new UserError('tool-failed', `\`${posixCommand(argv)}\` failed: ${toolOutput || 'no output'}`);
  return new UserError('tool-failed', `the administrator batch for the ${store} failed: ${toolOutput || message}`);
}

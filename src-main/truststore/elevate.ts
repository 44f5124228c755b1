import { sudoPrompt } from '../libs/sudo-prompt.ts';
import { forDoubleQuotedShell } from './shell.ts';

/** Runs a batch script as administrator; rejects with sudo-prompt's error (carrying stderr) on failure. */
export type Elevator = (script: string, platform: NodeJS.Platform) => Promise<{ stdout: string; stderr: string }>;

/**
 * The platform's own prompt (pkexec/polkit on Linux, the macOS admin dialog, UAC on Windows) through
 * @vscode/sudo-prompt: the password goes to the OS, never through us.
 */
export const elevateWithOsPrompt: Elevator = (script, platform) =>
  new Promise((resolve, reject) => {
    // On Linux the text lands inside `bash -c "..."`; on macOS and Windows it is written to a script file.
    const command = platform === 'linux' ? forDoubleQuotedShell(script) : script;
    sudoPrompt.exec(command, { name: 'Cluster Trust' }, (error, stdout, stderr) => {
      const out = String(stdout ?? '');
      const err = String(stderr ?? '');
      if (error) reject(Object.assign(error, { stdout: out, stderr: err }));
      else resolve({ stdout: out, stderr: err });
    });
  });

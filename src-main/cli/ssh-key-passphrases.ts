import { readPassphraseFile } from '../keychain/passphrase.ts';
import { UserError, invalid } from '../errors.ts';
import type { AskPassphrase, PassphraseAnswer } from '../ssh/index.ts';
import { askHidden, isTerminal } from './hidden-prompt.ts';

/**
 * Where an encrypted SSH key's passphrase comes from: a file (one trailing newline dropped; a second
 * ask means it was wrong), else the terminal when there is one. `remember` keeps it in the OS
 * keychain once it has unlocked the key.
 */
export function sshKeyPassphrases(file: string | undefined, remember: boolean): AskPassphrase | undefined {
  const answer = (passphrase: string): PassphraseAnswer => (remember ? { passphrase, remember } : passphrase);
  if (!file) {
    if (isTerminal()) {
      return async ({ keyFile, attempt }) => {
        const typed = await askHidden(`${attempt > 1 ? 'Wrong passphrase. ' : ''}Passphrase for ${keyFile}: `);
        return typed ? answer(typed) : null;
      };
    }
    if (remember) throw invalid('--remember-ssh-key-passphrase needs --ssh-key-passphrase-file FILE (or a terminal to type it in)');
    return undefined;
  }
  let cached: string | null = null;
  return ({ attempt }) => {
    if (attempt > 1) return null;
    try {
      cached ??= readPassphraseFile(file);
    } catch (err) {
      if (err instanceof UserError) throw new UserError('no-passphrase', err.message.replace('passphrase file', 'SSH key passphrase file'));
      throw err;
    }
    return answer(cached);
  };
}

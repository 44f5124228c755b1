import { MIN_PASSPHRASE_LENGTH, type AskPassphrase } from '../keychain/passphrase.ts';
import { askHidden, isTerminal } from './hidden-prompt.ts';

/**
 * A CA passphrase typed on the terminal without echo: a new one twice (and long enough), an
 * existing one once per attempt. Undefined where there is no terminal (scripts use --passphrase-file).
 */
export function terminalCaPassphrase(): AskPassphrase | undefined {
  if (!isTerminal()) return undefined;
  return async ({ caName, purpose, attempt }) => {
    if (purpose === 'unlock') {
      return askHidden(`${attempt > 1 ? 'Wrong passphrase. ' : ''}Passphrase of the CA "${caName}": `);
    }
    if (purpose === 'key-file') {
      return askHidden(`${attempt > 1 ? 'Wrong passphrase. ' : ''}Passphrase of the key file of "${caName}": `);
    }
    process.stderr.write(purpose === 'export-key'
      ? `Choose a passphrase for the exported key of "${caName}" (at least ${MIN_PASSPHRASE_LENGTH} characters; it is kept nowhere, so keep it with the file's owner).\n`
      : `No OS keychain answers here: choose the CA's passphrase (at least ${MIN_PASSPHRASE_LENGTH} characters; it is kept nowhere, so keep it safe).\n`);
    for (;;) {
      const first = await askHidden('New CA passphrase: ');
      if (first === null) return null;
      if (first.length < MIN_PASSPHRASE_LENGTH) {
        process.stderr.write(`Too short: at least ${MIN_PASSPHRASE_LENGTH} characters.\n`);
        continue;
      }
      const again = await askHidden('Type it again: ');
      if (again === null) return null;
      if (again === first) return first;
      process.stderr.write('The two differ; once more.\n');
    }
  };
}

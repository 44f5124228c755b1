import { checkKeyPassphrase } from '../../ssh/auth.ts';
import { keyFilePath, keychainKeyPassphrases } from '../../ssh/key-passphrases.ts';
import { readPassphraseFile } from '../../keychain/passphrase.ts';
import { invalid } from '../../errors.ts';
import { one } from '../args.ts';
import type { Command } from '../command.ts';

/** Passphrases of encrypted SSH keys kept in the OS keychain, so pushes need no prompt or file. */
export const sshKeyCommands: Command[] = [
  {
    words: ['ssh-key', 'remember'],
    usage: 'ssh-key remember FILE --ssh-key-passphrase-file PASSFILE',
    summary: 'keep an encrypted SSH key\'s passphrase in the OS keychain (checked against the key first)',
    options: [{ name: 'ssh-key-passphrase-file', value: true }],
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const passFile = one(args, 'ssh-key-passphrase-file');
      if (!passFile) throw invalid('give the key\'s passphrase in a file: --ssh-key-passphrase-file PASSFILE');
      const file = keyFilePath(args.positionals[0]!);
      checkKeyPassphrase(file, readPassphraseFile(passFile));
      await keychainKeyPassphrases(ctx.keychain).remember(file, readPassphraseFile(passFile));
      return { human: `the passphrase of ${file} is kept in the OS keychain; pushes with this key ask no more`, json: { remembered: file } };
    },
  },
  {
    words: ['ssh-key', 'forget'],
    usage: 'ssh-key forget FILE',
    summary: 'drop an SSH key\'s passphrase from the OS keychain',
    async run(ctx, args) {
      if (args.positionals.length !== 1) throw invalid(`usage: cluster-trust ${this.usage}`);
      const file = keyFilePath(args.positionals[0]!);
      const forgotten = await keychainKeyPassphrases(ctx.keychain).forget(file);
      return { human: forgotten ? `forgot the passphrase of ${file}` : `no passphrase was kept for ${file}`, json: { file, forgotten } };
    },
  },
  {
    words: ['ssh-key', 'list'],
    usage: 'ssh-key list',
    summary: 'SSH key files whose passphrase the OS keychain keeps',
    async run(ctx) {
      const files = await keychainKeyPassphrases(ctx.keychain).list();
      return { human: files.length ? files.join('\n') : 'no SSH key passphrases are kept', json: { files } };
    },
  },
];

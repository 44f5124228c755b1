import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

/** Only an elevated trust-store change needs it; it pulls in child_process at load. */
export const sudoPrompt = onFirstUse<typeof import('@vscode/sudo-prompt')>(() => (bundled ? require('@vscode/sudo-prompt') : fromSource('@vscode/sudo-prompt')));

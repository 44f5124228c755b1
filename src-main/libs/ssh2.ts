import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

export const ssh2 = onFirstUse<typeof import('ssh2')>(() => (bundled ? require('ssh2') : fromSource('ssh2')));

import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

export const tar = onFirstUse<typeof import('tar')>(() => (bundled ? require('tar') : fromSource('tar')));

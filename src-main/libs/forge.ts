import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

export const forge = onFirstUse<typeof import('node-forge')>(() => (bundled ? require('node-forge') : fromSource('node-forge')));

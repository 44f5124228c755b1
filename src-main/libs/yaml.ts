import { bundled, fromSource, onFirstUse } from './on-first-use.ts';

export const yaml = onFirstUse<typeof import('yaml')>(() => (bundled ? require('yaml') : fromSource('yaml')));

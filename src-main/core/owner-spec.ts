import { invalid } from '../errors.ts';

export interface OwnerSpec {
  user: string;
  group?: string;
}

/** `user`, `user:group` or `uid:gid`; checked before anything connects. */
export function parseOwnerSpec(spec: string): OwnerSpec {
  const m = /^([A-Za-z0-9_.][A-Za-z0-9_.-]{0,31})(?::([A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}))?$/.exec(spec.trim());
  if (!m) throw invalid(`invalid owner "${spec}": use user, user:group or uid:gid`);
  return { user: m[1]!, ...(m[2] !== undefined ? { group: m[2] } : {}) };
}

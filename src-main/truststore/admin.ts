import type { TrustEnv } from './types.ts';

/** Stores with no file we could test for writability (macOS System keychain, Windows LocalMachine). */
export function adminUnlessRoot(env: TrustEnv): boolean {
  if (env.privilege !== 'auto') return env.privilege === 'elevate';
  return !env.isRoot;
}

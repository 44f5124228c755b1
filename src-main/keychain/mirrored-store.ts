import type { KeychainBackend, SecretStore } from './types.ts';

/**
 * Reads and writes through the primary binding and keeps the other binding's format in step, so a
 * secret stays reachable whichever binding a later install can load. A mirror that fails is not an
 * error: the primary holds the secret.
 */
export function mirroredStore(primary: KeychainBackend, secondary: KeychainBackend | null): SecretStore {
  // Accounts already known to be in both formats this process: one extra look-up each, not one per read.
  const inStep = new Set<string>();
  const bring = async (to: KeychainBackend, account: string, secret: string): Promise<void> => {
    if (inStep.has(account)) return;
    const there = await to.get(account).catch(() => undefined);
    if (there === null) await to.set(account, secret).catch(() => undefined);
    if (there !== undefined) inStep.add(account);
  };
  return {
    async get(account) {
      const found = await primary.get(account);
      if (!secondary) return found;
      if (found !== null) {
        // Written by an older version through keytar alone: copy it for the day keytar cannot load.
        await bring(secondary, account, found);
        return found;
      }
      // Written while only the other binding loaded: take it, and keep it in the primary's format too.
      const other = await secondary.get(account).catch(() => null);
      if (other !== null) await bring(primary, account, other);
      return other;
    },
    async set(account, secret) {
      await primary.set(account, secret);
      if (secondary) await secondary.set(account, secret).catch(() => undefined);
      inStep.delete(account);
    },
    async delete(account) {
      inStep.delete(account);
      const removed = await primary.delete(account);
      const otherRemoved = secondary ? await secondary.delete(account).catch(() => false) : false;
      return removed || otherRemoved;
    },
    async accounts() {
      const mine = await primary.accounts();
      const theirs = secondary ? await secondary.accounts().catch(() => []) : [];
      return [...new Set([...mine, ...theirs])];
    },
  };
}

/** Certificate policy in one place (see docs/ARCHITECTURE.md). */
export const KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const DEFAULT_KEY_TYPE: KeyType = 'ecdsa-p256';
export const CA_DEFAULT_DAYS = 3650;
export const CA_MAX_DAYS = 36500;
export const LEAF_DEFAULT_DAYS = 397;
/** Apple platforms reject TLS server certificates valid for longer than 825 days. */
export const LEAF_MAX_DAYS = 825;
/** Backdate notBefore so a peer whose clock is a little behind still accepts a fresh certificate. */
export const BACKDATE_MS = 60 * 60 * 1000;

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

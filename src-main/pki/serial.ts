import { randomBytes } from 'node:crypto';

/**
 * A random positive 128-bit serial as lowercase hex: top bit clear (positive in DER) and a first
 * byte of 0x10-0x7f, so its hex never starts with 0 and reads the same in the vault, in openssl and
 * in every report that strips leading zeros (126 random bits remain).
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x10 + (bytes[0]! % 0x70);
  return bytes.toString('hex');
}

/** Canonical form for comparing serials typed by a user: lowercase, no colons, no leading zeros. */
export function normalizeSerial(input: string): string {
  const hex = input.trim().toLowerCase().replace(/^0x/, '').replace(/:/g, '');
  if (!/^[0-9a-f]+$/.test(hex)) return '';
  return hex.replace(/^0+(?=.)/, '');
}

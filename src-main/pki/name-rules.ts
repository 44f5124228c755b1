/**
 * Name rules that need no Node: loaded by main (pki/names.ts) and by the renderer (lib/names.ts,
 * to check as the user types), so both say the same thing in the same words. Imports nothing.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Why a DNS name is not usable in a certificate, or null when it is. Wildcards only as the leftmost
 * label. `isIp` is the caller's IP test (main has Node's; the renderer its own parser).
 */
export function dnsNameProblemWith(name: string, isIp: (value: string) => boolean): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return `is ${name.length} characters long (at most 253)`;
  if (isIp(name)) return 'is an IP address: give it as an IP, not a DNS name';
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (i === 0 && label === '*' && labels.length > 2) continue;
    if (label.length > 63) return `has a label longer than 63 characters ("${label.slice(0, 20)}...")`;
    if (!LABEL.test(label)) return `has an invalid label "${label}" (letters, digits and inner hyphens only)`;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'ends in an all-numeric label';
  return null;
}

/** Node names double as certificate CN and file names in bundles, so they are kept to a safe alphabet. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const NODE_NAME_RULE = 'use 1-63 letters, digits, dots, hyphens or underscores, starting with a letter or digit';

export function nodeNameProblem(name: string): string | null {
  if (name.length === 0) return 'give the node a name';
  if (!NODE_NAME_PATTERN.test(name) || name.includes('..')) return NODE_NAME_RULE;
  return null;
}

/** A rough hint for a passphrase the user chooses: length counts most, then variety. Only a hint. */
export type Strength = { label: 'too short' | 'weak' | 'fair' | 'strong'; score: 0 | 1 | 2 | 3 };

export const MIN_OWN_PASSPHRASE = 12;

export function passphraseStrength(pass: string): Strength {
  if (pass.length < MIN_OWN_PASSPHRASE) return { label: 'too short', score: 0 };
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pass)).length;
  const distinct = new Set(pass).size;
  // Repeats ("aaaaaaaaaaaa") and a single kind of character guess fast whatever the length.
  const bits = Math.log2(Math.max(2, distinct)) * pass.length * (classes >= 2 ? 1 : 0.6);
  if (bits >= 80) return { label: 'strong', score: 3 };
  if (bits >= 55) return { label: 'fair', score: 2 };
  return { label: 'weak', score: 1 };
}

/** Why a chosen passphrase and its confirmation cannot be used yet, or null. */
export function ownPassphraseProblem(pass: string, confirm: string): string | null {
  if (pass.length < MIN_OWN_PASSPHRASE) return `at least ${MIN_OWN_PASSPHRASE} characters`;
  if (confirm !== pass) return 'the two passphrases differ';
  return null;
}

/** One day in milliseconds: certificate validity and expiry warnings count whole days. */
export const DAY_MS = 86_400_000;

/** Whole days from now until notAfter (negative once expired), the one count every view shows. */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((new Date(notAfter).getTime() - now.getTime()) / DAY_MS);
}

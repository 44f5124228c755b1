import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintsIn } from './ca-cert.ts';

// Anchor folders hold a few small certificates; anything bigger than this is not one of them.
const MAX_FILE = 4 * 1024 * 1024;

/** Does this file (PEM bundle or DER certificate) hold a certificate with this SHA-256? */
export function fileHolds(path: string, sha256: string): boolean {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > MAX_FILE) return false;
    return fingerprintsIn(readFileSync(path)).includes(sha256);
  } catch {
    return false;
  }
}

/** Files under `dir` (following links, down to `depth` levels) that hold the certificate. */
export function filesHolding(dir: string, sha256: string, depth = 0): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names) {
    const p = join(dir, name);
    let isDirectory = false;
    try {
      isDirectory = statSync(p).isDirectory();
    } catch {
      continue; // dangling link
    }
    if (isDirectory) {
      if (depth > 0) found.push(...filesHolding(p, sha256, depth - 1));
    } else if (fileHolds(p, sha256)) {
      found.push(p);
    }
  }
  return found;
}

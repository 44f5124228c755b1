import { readFileSync } from 'node:fs';
import { invalid } from '../errors.ts';

/** A file named on the command line, or one line saying why it cannot be read. */
export function readInputFile(path: string, what: string): string {
  return readInput(path, what, () => readFileSync(path, 'utf8'));
}

export function readInputBytes(path: string, what: string): Buffer {
  return readInput(path, what, () => readFileSync(path));
}

function readInput<T>(path: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw invalid(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

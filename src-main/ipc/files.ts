import { openSync, fstatSync, readSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import { invalid, toUserError } from '../errors.ts';

/**
 * Reads a text file the user chose in a native dialog, refusing what is not a regular file or is
 * larger than `maxBytes` (checked on the open descriptor, so a swapped file cannot slip past).
 */
export function readChosenText(path: string, maxBytes: number, what: string): { text: string; fileName: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw toUserError(err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw invalid(`${basename(path)} is not a regular file`);
    if (st.size > maxBytes) throw invalid(`${basename(path)} is ${Math.ceil(st.size / 1024)} KiB; a ${what} is at most ${Math.floor(maxBytes / 1024)} KiB`);
    const buf = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = readSync(fd, buf, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = buf.subarray(0, read).toString('utf8');
    if (text.includes('\0')) throw invalid(`${basename(path)} is not a text (PEM) file`);
    return { text, fileName: basename(path) };
  } finally {
    closeSync(fd);
  }
}

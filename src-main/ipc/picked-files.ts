import { randomBytes } from 'node:crypto';
import { UserError } from '../core/errors.ts';

export type PickedKind = 'cert' | 'key';

interface Picked {
  kind: PickedKind;
  text: string;
  fileName: string;
}

/**
 * Files the user chose in a native dialog, kept in main behind a random token. The renderer only
 * ever sees the token, the file name and a summary: a CA key never crosses to the page.
 */
export class PickedFiles {
  private readonly entries = new Map<string, Picked>();
  constructor(private readonly capacity = 8) {}

  put(entry: Picked): string {
    const token = randomBytes(16).toString('hex');
    this.entries.set(token, entry);
    // Oldest first: a forgotten pick cannot pile up.
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return token;
  }

  get(token: string, kind: PickedKind): Picked {
    const entry = this.entries.get(token);
    if (!entry || entry.kind !== kind) {
      throw new UserError('not-found', `the chosen ${kind === 'cert' ? 'certificate' : 'key'} file is no longer available; choose it again`);
    }
    return entry;
  }

  drop(...tokens: string[]): void {
    for (const t of tokens) this.entries.delete(t);
  }
}

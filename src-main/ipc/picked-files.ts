import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.ts';

/** A CA file's content (read in main), or the path of a node's SSH private key (never read into the page). */
type CaFile = { text: string; fileName: string };
type Picked = ({ kind: 'cert' } & CaFile) | ({ kind: 'key' } & CaFile) | { kind: 'ssh-key'; path: string };

export type PickedKind = Picked['kind'];

const LABELS: Record<PickedKind, string> = { cert: 'certificate', key: 'key', 'ssh-key': 'SSH key' };

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

  get<K extends PickedKind>(token: string, kind: K): Extract<Picked, { kind: K }> {
    const entry = this.entries.get(token);
    if (!entry || entry.kind !== kind) {
      throw new UserError('not-found', `the chosen ${LABELS[kind]} file is no longer available; choose it again`);
    }
    return entry as Extract<Picked, { kind: K }>;
  }

  drop(...tokens: string[]): void {
    for (const t of tokens) this.entries.delete(t);
  }
}

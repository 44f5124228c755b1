/**
 * CA passphrases the user typed, kept in this process's memory only (never on disk, never sent to
 * the renderer), for CAs whose passphrase is the user's own: asked again after every start.
 */
export class SessionPassphrases {
  readonly #byFingerprint = new Map<string, string>();

  get(fingerprint: string): string | undefined {
    return this.#byFingerprint.get(fingerprint);
  }

  remember(fingerprint: string, passphrase: string): void {
    this.#byFingerprint.set(fingerprint, passphrase);
  }

  forget(fingerprint: string): void {
    this.#byFingerprint.delete(fingerprint);
  }

  has(fingerprint: string): boolean {
    return this.#byFingerprint.has(fingerprint);
  }
}

/** The one set of typed passphrases of this process (the desktop app's main process, or one CLI run). */
export const processPassphrases = new SessionPassphrases();

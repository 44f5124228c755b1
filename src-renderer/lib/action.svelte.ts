import { messageOf } from './api.ts';

/**
 * One user action in a dialog (save, add, remove): `busy` while it runs, its error message after
 * it failed. A failed action leaves the dialog open with the message; `run` says whether it worked.
 */
export class DialogAction {
  busy = $state(false);
  error = $state<string | null>(null);

  async run(work: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await work();
      return true;
    } catch (err) {
      this.error = messageOf(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}

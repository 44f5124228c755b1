import { call } from './api.ts';

/** How many audit entries the Lifecycle history holds (the warm-up readies as many, so main's cache serves the visit). */
export const HISTORY_FETCH = 5000;

/**
 * Once the first screen is painted and the page is idle (App.svelte), has main ready the Lifecycle
 * view and history for the vault as it is. `warmLifecycle` answers nothing, so no rows cross and the
 * page pays nothing; the first visit to Lifecycle then costs what later ones do. Not earlier: at
 * 10,000 nodes main's work would compete with the page's first layout for the cores. A failure is
 * the visit's to report, not this one's.
 */
export function warmLifecycle(): void {
  void call('warmLifecycle', { historyLimit: HISTORY_FETCH }).catch(() => undefined);
}

import { call } from './api.ts';

/** How many audit entries the Lifecycle history holds (the warm-up readies as many, so main's cache serves the visit). */
export const HISTORY_FETCH = 5000;

/**
 * Once the first screen has painted, has main ready the Lifecycle view and history for the vault as
 * it is (`warmLifecycle` answers nothing: no rows cross, so the page pays nothing): the first visit
 * to Lifecycle then costs what later ones do. A failure is the visit's to report, not this one's.
 */
export function warmLifecycleAfterPaint(): void {
  requestAnimationFrame(() => setTimeout(() => void call('warmLifecycle', { historyLimit: HISTORY_FETCH }).catch(() => undefined), 0));
}

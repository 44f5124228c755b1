// jsdom lacks requestIdleCallback, which the page uses (Chromium has it): run the callback on the next task.
if (typeof globalThis.requestIdleCallback !== 'function') {
  globalThis.requestIdleCallback = ((callback: IdleRequestCallback) => setTimeout(() => callback({ didTimeout: false, timeRemaining: () => 0 }), 0)) as unknown as typeof requestIdleCallback;
  globalThis.cancelIdleCallback = ((handle: number) => clearTimeout(handle)) as typeof cancelIdleCallback;
}

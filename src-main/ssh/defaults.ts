// Push's defaults, apart from push.ts so the CLI can show them without loading ssh2.
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_TIMEOUT_MS = 60_000;

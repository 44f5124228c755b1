import type { Inventory } from '../vault/schema.ts';

/**
 * The list views (nodes, lifecycle, push targets) computed once per vault change, not per call:
 * `Vault.read()` hands out the same frozen snapshot until inventory.json changes (its read stamp),
 * so the snapshot itself is the key, and switching back to a section costs nothing in main.
 * States and days left also depend on the clock and the expiry threshold: a view is reused within
 * the same minute and threshold only. Cached views are frozen (the registry then also reuses their
 * JSON text), so no caller can change what the next one gets.
 */
const MINUTE_MS = 60_000;

interface Entry {
  key: string;
  value: unknown;
}

const bySnapshot = new WeakMap<Inventory, Map<string, Entry>>();

const keyOf = (now: Date, warnDays: number): string => `${Math.floor(now.getTime() / MINUTE_MS)}:${warnDays}`;

/** A number per snapshot this process has read (a new one after every change of inventory.json). */
const snapshotIds = new WeakMap<Inventory, number>();
let lastSnapshotId = 0;

/**
 * Which version of the views `cachedView` would give now: it changes with the vault (its snapshot),
 * the minute and the threshold. The page asks for it when its window gets the focus back and reloads
 * a list only if it differs from the one its rows came with, instead of 10,000 rows on every focus.
 */
export function viewRevision(inv: Inventory, now: Date, warnDays: number): string {
  let id = snapshotIds.get(inv);
  if (id === undefined) snapshotIds.set(inv, (id = ++lastSnapshotId));
  return `${id}:${keyOf(now, warnDays)}`;
}

export function cachedView<T extends object>(inv: Inventory, name: string, now: Date, warnDays: number, compute: () => T): T {
  const key = keyOf(now, warnDays);
  let views = bySnapshot.get(inv);
  if (!views) {
    views = new Map();
    bySnapshot.set(inv, views);
  }
  const hit = views.get(name);
  if (hit?.key === key) return hit.value as T;
  const value = freezeView(compute());
  views.set(name, { key, value });
  return value;
}

/** The view and its rows (two levels: what the list handlers return); rows' own lists stay as they are. */
function freezeView<T extends object>(value: T): T {
  const rows = Array.isArray(value) ? value : Object.values(value).find(Array.isArray);
  if (Array.isArray(rows)) {
    for (const row of rows) if (row && typeof row === 'object') Object.freeze(row);
    Object.freeze(rows);
  }
  return Object.freeze(value);
}

/** A frozen value's JSON text, once per value (the list channels go to the page as text). */
const texts = new WeakMap<object, string>();

export function jsonTextOf(value: unknown): string {
  if (!value || typeof value !== 'object' || !Object.isFrozen(value)) return JSON.stringify(value);
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

/**
 * Search, sort and windowing for long tables (10,000 nodes): each keystroke filters precomputed
 * lower-case text, and only the rows in view (plus a margin) are put in the DOM.
 */

export type SortDir = 'asc' | 'desc';
export interface SortSpec<K extends string> {
  key: K;
  dir: SortDir;
}

/** Rows paired with their search text and sort keys, built once per change of the rows. */
export interface Indexed<T, K extends string> {
  readonly row: T;
  readonly text: string;
  readonly keys: Record<K, string | number>;
}

/**
 * A row's search text and sort keys are made on first use and kept: a table shown unsorted and
 * unsearched (every first screen) builds none of them, which at 10,000 nodes took longer than
 * drawing the screen's rows.
 */
class IndexedRow<T, K extends string> implements Indexed<T, K> {
  #text: string | undefined;
  #keys: Record<K, string | number> | undefined;
  constructor(
    readonly row: T,
    private readonly textOf: (row: T) => string,
    private readonly keysOf: (row: T) => Record<K, string | number>,
  ) {}
  get text(): string {
    return (this.#text ??= this.textOf(this.row).toLowerCase());
  }
  get keys(): Record<K, string | number> {
    return (this.#keys ??= this.keysOf(this.row));
  }
}

export function indexRows<T, K extends string>(rows: readonly T[], text: (row: T) => string, keys: (row: T) => Record<K, string | number>): Indexed<T, K>[] {
  return rows.map((row) => new IndexedRow(row, text, keys));
}

/** Every word of the query must appear somewhere in the row's text (name, addresses, profile, state...). */
export function filterRows<T, K extends string>(rows: readonly Indexed<T, K>[], query: string): Indexed<T, K>[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows as Indexed<T, K>[];
  return rows.filter((r) => words.every((w) => r.text.includes(w)));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function sortRows<T, K extends string>(rows: readonly Indexed<T, K>[], sort: SortSpec<K> | null): Indexed<T, K>[] {
  if (!sort) return rows as Indexed<T, K>[];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a.keys[sort.key];
    const y = b.keys[sort.key];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
    return sign * c;
  });
}

/** Clicking a column: ascending first, then descending, then the column again from ascending. */
export function nextSort<K extends string>(current: SortSpec<K> | null, key: K): SortSpec<K> {
  return current?.key === key && current.dir === 'asc' ? { key, dir: 'desc' } : { key, dir: 'asc' };
}

/**
 * Before the list is measured (its first render, tests without layout): the window's height, which
 * the list cannot exceed and which reading forces no layout; a first render of more rows than fit
 * made the first layout a third larger.
 */
function unmeasuredViewport(): number {
  return typeof window !== 'undefined' && window.innerHeight > 0 ? window.innerHeight : 1200;
}

/** The slice of rows to render for a scroll position, with `overscan` rows either side. */
export function windowOf(count: number, scrollTop: number, viewport: number, rowHeight: number, overscan = 8): { start: number; end: number } {
  const height = viewport > 0 ? viewport : unmeasuredViewport();
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { start, end: Math.max(start, end) };
}

/** The scrollTop that brings row `index` fully into view (unchanged when it already is). */
export function scrollToRow(index: number, scrollTop: number, viewport: number, rowHeight: number, header = 0): number {
  const top = index * rowHeight;
  const visible = viewport - header;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + visible) return top + rowHeight - visible;
  return scrollTop;
}

/** A window over rows of differing heights: which rows to render, and the space above and below them. */
export interface SizedWindow {
  start: number;
  end: number;
  /** Pixels of the rows before `start` and after `end` (spacer rows keep the scrollbar true). */
  before: number;
  after: number;
}

/**
 * Like `windowOf`, for rows whose height is known only once rendered (a push row grows with its
 * result): `heightOf(i)` gives a measured height or an estimate. One pass over the heights, so
 * 10,000 rows cost well under a millisecond per scroll.
 */
export function windowOfSized(count: number, heightOf: (index: number) => number, scrollTop: number, viewport: number, overscan = 8): SizedWindow {
  const height = viewport > 0 ? viewport : unmeasuredViewport();
  let top = 0;
  let first = count;
  let last = count;
  for (let i = 0; i < count; i++) {
    const h = heightOf(i);
    if (first === count && top + h > scrollTop) first = i;
    if (top >= scrollTop + height) {
      last = i;
      break;
    }
    top += h;
  }
  const start = Math.max(0, Math.min(first, count) - overscan);
  const end = Math.min(count, Math.max(last, start) + overscan);
  let before = 0;
  for (let i = 0; i < start; i++) before += heightOf(i);
  let after = 0;
  for (let i = end; i < count; i++) after += heightOf(i);
  return { start, end, before, after };
}

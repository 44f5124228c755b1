// The window over rows of differing heights (lifecycle, history, push lists): only the rows in view
// plus a margin are rendered, and the spacers above and below add up to the rows left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowOfSized } from '../../src-renderer/lib/table-view.ts';

test('rows of one height: the rows in view plus the margin, spacers for the rest', () => {
  const w = windowOfSized(10_000, () => 50, 5_000, 500, 8);
  assert.deepEqual(w, { start: 92, end: 118, before: 92 * 50, after: (10_000 - 118) * 50 });
});

test('taller rows (a push result) move the window and the spacers by what they measure', () => {
  const heights = (i: number) => (i < 10 ? 200 : 50);
  const w = windowOfSized(1_000, heights, 2_000, 400, 2);
  // 10 rows of 200 px fill the first 2,000 px: row 10 is the first in view, rows 10-17 fill 400 px.
  assert.equal(w.start, 8);
  assert.equal(w.end, 20);
  assert.equal(w.before, 8 * 200);
  assert.equal(w.after, (1_000 - 20) * 50);
});

test('edges: the top, past the end, no rows, and an unmeasured viewport', () => {
  assert.deepEqual(windowOfSized(3, () => 40, 0, 400, 8), { start: 0, end: 3, before: 0, after: 0 });
  const past = windowOfSized(100, () => 40, 99_999, 400, 8);
  assert.equal(past.end, 100);
  assert.ok(past.start >= 92 && past.start < 100);
  assert.equal(past.before + (past.end - past.start) * 40 + past.after, 100 * 40);
  assert.deepEqual(windowOfSized(0, () => 40, 0, 400), { start: 0, end: 0, before: 0, after: 0 });
  // No viewport measured yet: a tall screen (1,200 px) is assumed, never zero rows.
  assert.equal(windowOfSized(10_000, () => 40, 0, 0, 0).end, 30);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barPercent, barScaleDays, stateTone, URGENT_DAYS } from '../../src-renderer/lib/format.ts';

test('expiry colours: amber while due, red under 7 days, whatever the lifetime', () => {
  assert.equal(URGENT_DAYS, 7);
  assert.equal(stateTone('renew', 19), 'warn');
  assert.equal(stateTone('renew', 7), 'warn');
  assert.equal(stateTone('renew', 6), 'bad');
  assert.equal(stateTone('renew', 0), 'bad');
  assert.equal(stateTone('ok', 3), 'ok');
  assert.equal(stateTone('renew'), 'warn');
});

test('expiry bars share one scale in days: 19 days left is a short bar, not a full one', () => {
  assert.equal(barScaleDays(30), 90);
  assert.equal(barScaleDays(60), 180);
  assert.equal(Math.round(barPercent(19, 90)), 21);
  assert.equal(barPercent(400, 90), 100);
  assert.equal(barPercent(-3, 90), 0);
  assert.equal(barPercent(null, 90), 0);
});

// The progress a user sees during a sync: rows done of the total, rows/s and ETA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressMeter, progressLine } from '../../src-main/core/sync/index.js';

test('a progress line shows the bar, counts, rate and ETA', () => {
  const line = progressLine({ phase: 'fetching', done: 250_000, total: 1_000_000, rowsPerSecond: 50_000, etaSeconds: 15, message: 'audit_logs · acme' });
  assert.equal(line, 'fetching  [######..................]  25%  250,000/1,000,000 rows  50,000 rows/s  ETA 15s  audit_logs · acme');
});

test("a tenant id's terminal escapes in the progress message are shown escaped (the line is redrawn on stderr)", () => {
  const line = progressLine({ phase: 'fetching', done: 1, total: 10, rowsPerSecond: 1, etaSeconds: 9, message: 'audit_logs · acme\u001b[2A\u001b[2K' });
  assert.match(line, /audit_logs · acme\\u\{1B\}\[2A\\u\{1B\}\[2K$/);
});

test('without a total the line shows rows only; long ETAs read as minutes and hours', () => {
  assert.equal(progressLine({ phase: 'planning', done: 0, total: null, rowsPerSecond: null, etaSeconds: null, message: null }), 'planning  0 rows');
  assert.match(progressLine({ phase: 'f', done: 1, total: 10, rowsPerSecond: 1, etaSeconds: 3725, message: null }), /ETA 1h02m$/);
  assert.match(progressLine({ phase: 'f', done: 1, total: 10, rowsPerSecond: 1, etaSeconds: 125, message: null }), /ETA 2m05s$/);
});

test('the meter reports phase changes at once and counts every row', () => {
  const seen: { phase: string; done: number }[] = [];
  const meter = new ProgressMeter((p) => seen.push({ phase: p.phase, done: p.done }), 60_000);
  meter.total = 10;
  meter.set('fetching');
  meter.add(4);
  meter.add(6);
  meter.set('done');
  assert.deepEqual(seen[0], { phase: 'fetching', done: 0 });
  assert.deepEqual(seen[seen.length - 1], { phase: 'done', done: 10 });
  assert.equal(meter.snapshot().done, 10);
});

// Issue 16: with Local selected, each time is converted with the offset in force at that
// instant (a September row in New York is UTC−04:00 even when read in December) and every
// time carries its zone; filter bounds read as the ISO day the user typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { formatBound, formatTs, parseIsoDay } from '../../src-renderer/app/format.js';

let savedTz: string | undefined;
before(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'America/New_York'; // Node applies a changed TZ to the next Date call
});
after(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

test('local time uses the offset in force at that instant, on both sides of the November DST change', () => {
  // 2026-11-01 06:00Z: New York falls back from EDT (−04:00) to EST (−05:00); 01:30 happens twice.
  assert.equal(formatTs('2026-11-01T05:30:00.000000Z', 'local'), '2026-11-01 01:30:00 −04:00');
  assert.equal(formatTs('2026-11-01T06:30:00.000000Z', 'local'), '2026-11-01 01:30:00 −05:00');
  assert.equal(formatTs('2026-09-30T23:52:44.123456Z', 'local'), '2026-09-30 19:52:44 −04:00');
  assert.equal(formatTs('2026-12-04T12:00:00.000000Z', 'local'), '2026-12-04 07:00:00 −05:00');
});

test('local time across the March DST change skips the missing hour', () => {
  assert.equal(formatTs('2026-03-08T06:59:00.000000Z', 'local', false), '2026-03-08 01:59 −05:00');
  assert.equal(formatTs('2026-03-08T07:00:00.000000Z', 'local', false), '2026-03-08 03:00 −04:00');
});

test('UTC times say UTC and keep the stored text', () => {
  assert.equal(formatTs('2026-11-01T05:30:00.123456Z', 'utc'), '2026-11-01 05:30:00 UTC');
  assert.equal(formatTs('2026-11-01T05:30:00Z', 'utc', false), '2026-11-01 05:30 UTC');
  assert.equal(formatTs(null, 'utc'), '—');
  assert.equal(formatTs('infinity', 'local'), 'infinity');
});

test('a stored time with anything after it is shown as written, control and bidi characters visible, not as a clean time', () => {
  // A second writer's checked_at: a clean-looking prefix, then a terminal escape and a right-to-left override.
  const planted = '2026-12-07T16:00:00.000Z\u001b[2K\u202eintact';
  for (const tz of ['utc', 'local'] as const) {
    assert.equal(formatTs(planted, tz), '2026-12-07T16:00:00.000Z\\u{1B}[2K\\u{202E}intact');
  }
  assert.equal(formatTs('2026-11-01T05:30:00+00:00', 'utc'), '2026-11-01 05:30:00 UTC', 'an offset is a time');
  assert.equal(formatTs('2026-11-01T07:30:00+02:00', 'utc'), '2026-11-01 05:30:00 UTC', 'another offset is converted');
});

test('a filter bound that is a whole day reads as that ISO day, not as its canonical timestamp', () => {
  assert.equal(formatBound('2026-08-05', 'utc'), '2026-08-05');
  assert.equal(formatBound('2026-08-05T00:00:00.000000Z', 'local'), '2026-08-05');
  assert.equal(formatBound('2026-08-05T13:10:00.000000Z', 'utc'), '2026-08-05 13:10:00 UTC');
  assert.equal(formatBound('2026-08-05T13:10:00.000000Z', 'local'), '2026-08-05 09:10:00 −04:00');
});

test('date inputs accept only real ISO days', () => {
  assert.equal(parseIsoDay('2026-08-05'), '2026-08-05');
  assert.equal(parseIsoDay(' 2026-08-05 '), '2026-08-05');
  assert.equal(parseIsoDay('08/05/2026'), null);
  assert.equal(parseIsoDay('2026-02-30'), null);
  assert.equal(parseIsoDay('2026-8-5'), null);
});

// With Local selected, the times inside a break's sentence, a checkpoint's label and a
// review item's source read in local time with their offset, like every other time on the
// screen; only the times the break's facts name are converted, never text of the row's
// own that looks like a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { explainBreak } from '../../src-main/core/verify/explain.js';
import type { BreakFacts } from '../../src-main/core/contract/verify-report.js';
import { breakExplanationIn, checkpointLabelIn, runNoteIn, verificationSourceIn } from '../../src-renderer/app/worded-times.js';

let savedTz: string | undefined;
before(() => {
  savedTz = process.env.TZ;
  process.env.TZ = 'America/New_York';
});
after(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const asBreak = (facts: BreakFacts) => ({ explanation: explainBreak(facts), facts });

test('a changed row names its time in local time with the offset of that instant', () => {
  const b = asBreak({ cause: 'content_changed', row: { seq: 5250, id: '5250', time: '2026-07-30T09:05:16.123456Z' }, storedHash: 'a'.repeat(64), contentHash: 'b'.repeat(64) });
  assert.match(b.explanation, /\(id 5250, 2026-07-30 09:05:16 UTC\)/);
  assert.equal(breakExplanationIn(b, 'utc'), b.explanation);
  assert.equal(breakExplanationIn(b, 'local'), b.explanation.replace('2026-07-30 09:05:16 UTC', '2026-07-30 05:05:16 −04:00'));
});

test('a deleted row names both neighbours in local time, each with its own offset', () => {
  const b = asBreak({
    cause: 'deleted',
    seq: 10500,
    from: { seq: 10499, id: '10499', time: '2026-11-01T05:30:00Z' },
    next: { seq: 10501, id: '10501', time: '2026-11-01T06:30:00Z' },
    missing: 1,
    firstMissing: 10500,
    lastMissing: 10500,
    gap: 'relinked',
    prevHashColumn: 'prev_hash',
  });
  const local = breakExplanationIn(b, 'local');
  assert.match(local, /from seq 10499 \(id 10499, 2026-11-01 01:30:00 −04:00\) to seq 10501 \(id 10501, 2026-11-01 01:30:00 −05:00\)/);
  assert.doesNotMatch(local, /UTC/);
});

test('text of the row that looks like one of its times is left as the row holds it', () => {
  // The id and the hash column are the row's own values: a forged id that spells the row's
  // time must not be rewritten, or the screen would misquote the row.
  const time = '2026-07-30T09:05:16Z';
  const b = asBreak({
    cause: 'malformed_hash',
    row: { seq: 7, id: 'x, 2026-07-30 09:05:16 UTC', time },
    hexChars: 64,
    hash: { column: 'hash', value: 'id 7, 2026-07-30 09:05:16 UTC' },
    prevHash: null,
  });
  const local = breakExplanationIn(b, 'local');
  assert.ok(local.startsWith('Row seq 7 (id x, 2026-07-30 09:05:16 UTC, 2026-07-30 05:05:16 −04:00)'), local);
  assert.match(local, /its hash is "id 7, 2026-07-30 09:05:16 UTC"/);
});

test('a history rewritten since a checkpoint names the checkpoint and the row in local time', () => {
  const b = asBreak({
    cause: 'rewritten_since_reference',
    row: { seq: 12, id: '12', time: '2026-09-30T23:52:44Z' },
    foundHash: 'c'.repeat(64),
    reference: { label: 'checkpoint #3 (sync, 2026-12-05T10:00:00.000Z)', takenAt: null },
    recordedHash: 'd'.repeat(64),
    differing: 4,
    checkpointsDisagreeing: 0,
  });
  const local = breakExplanationIn(b, 'local');
  assert.match(local, /^Row seq 12 \(id 12, 2026-09-30 19:52:44 −04:00\) now has hash c+, but checkpoint #3 \(sync, 2026-12-05 05:00:00 −05:00\) recorded/);
  assert.equal(checkpointLabelIn('checkpoint #3 (sync, 2026-12-05T10:00:00.000Z)', 'local'), 'checkpoint #3 (sync, 2026-12-05 05:00:00 −05:00)');
  assert.equal(checkpointLabelIn('checkpoint #3 (sync, 2026-12-05T10:00:00.000Z)', 'utc'), 'checkpoint #3 (sync, 2026-12-05 10:00:00 UTC)');
  // A label of another shape (an anchor file's name) is shown as it is.
  assert.equal(checkpointLabelIn('anchor heads (2026-12-05T10:00:00Z).json', 'local'), 'anchor heads (2026-12-05T10:00:00Z).json');
});

test('a break without facts (a report stored before they existed) is shown as stored', () => {
  const explanation = 'Row seq 3 (id 3, 2026-07-30 09:05:16 UTC) was changed after it was written.';
  assert.equal(breakExplanationIn({ explanation }, 'local'), explanation);
});

test("a review item's source names its verification's time as the screen shows times", () => {
  const source = 'verification of 2026-12-06T06:12:11.496Z (127.0.0.1:54329/auditdesk_demo · ce5cea69e87c…)';
  assert.equal(verificationSourceIn(source, 'local'), 'verification of 2026-12-06 01:12:11 −05:00 (127.0.0.1:54329/auditdesk_demo · ce5cea69e87c…)');
  assert.equal(verificationSourceIn(source, 'utc'), 'verification of 2026-12-06 06:12:11 UTC (127.0.0.1:54329/auditdesk_demo · ce5cea69e87c…)');
  assert.equal(verificationSourceIn('controls run of 2026-07-30T09:05:16Z (demo · ab12…)', 'local'), 'controls run of 2026-07-30 05:05:16 −04:00 (demo · ab12…)');
  // Other sources (a drift finding, the model findings) carry no time and are shown as they are.
  assert.equal(verificationSourceIn('drift finding #3 (demo · ab12…)', 'local'), 'drift finding #3 (demo · ab12…)');
  // One a rebuild carried over names the rebuild's time; the time in the file's name is the file's name.
  assert.equal(
    verificationSourceIn('drift finding #3 of cache.sqlite.broken-2026-12-07T07-00-00-000Z, carried over at the rebuild of 2026-12-07T07:00:01.250Z (demo · ab12…)', 'local'),
    'drift finding #3 of cache.sqlite.broken-2026-12-07T07-00-00-000Z, carried over at the rebuild of 2026-12-07 02:00:01 −05:00 (demo · ab12…)',
  );
});

test("a run's note about a checkpoint left out names the checkpoint's time as the screen shows times, and nothing else", () => {
  const note =
    'checkpoint #4 (sync, 2026-12-05T10:00:00.000Z) of acme-pharma was not compared: its signature does not verify over what it says: it was edited in the cache after it was signed, so it is no evidence either way.';
  assert.equal(runNoteIn(note, 'local'), note.replace('2026-12-05T10:00:00.000Z', '2026-12-05 05:00:00 −05:00'));
  assert.equal(runNoteIn(note, 'utc'), note.replace('2026-12-05T10:00:00.000Z', '2026-12-05 10:00:00 UTC'));
  // A tenant id that looks like a time further on is the source's text: left as it is.
  const odd = 'checkpoint #5 (verify, 2026-12-05T10:00:00Z) of 2026-01-01T00:00:00Z was not compared: it carries no signature.';
  assert.equal(runNoteIn(odd, 'local'), 'checkpoint #5 (verify, 2026-12-05 05:00:00 −05:00) of 2026-01-01T00:00:00Z was not compared: it carries no signature.');
  const other = 'nothing was recorded: pass --engagement DIR (or --cache FILE) to keep the signed checkpoints and this report for later visits.';
  assert.equal(runNoteIn(other, 'local'), other);
});

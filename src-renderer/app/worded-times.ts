// Sentences and labels the main process words once, with their times in UTC (the CLI,
// the PDF and the stored report read the same), shown with those times as the screen
// shows every other time: under Local, local with the offset of that instant. In a
// break's sentence only the times its facts name are converted, each found exactly as
// the sentence prints it beside its row id, so text from the row itself that happens to
// look like a time (an id, a hash column's value) is never rewritten.
// Pure (no DOM, no store): the unit tests run it under Node with TZ set.
import type { BreakJson } from '../../src-main/core/contract/integrity.js';
import { formatTs, type TimeZoneMode } from './format.js';

type RowFacts = { id: string; time: string | null };

/** How the sentence prints a row's time after its id (core/verify/explain.ts `at`). */
function printedAt(time: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(time);
  return m ? `, ${m[1]} ${m[2]} UTC` : `, ${time}`;
}

/** A time as the main process writes it into labels: ISO 8601 in UTC. */
const ISO_UTC = String.raw`(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)`;
const CHECKPOINT_LABEL = new RegExp(String.raw`^(checkpoint #\d+ \((?:sync|verify|external), )${ISO_UTC}\)$`);
const LAST_SYNCED = new RegExp(`^last synced ${ISO_UTC}$`);

const CHECKPOINT_NOTE = new RegExp(String.raw`^(checkpoint #\d+ \((?:sync|verify|external), )${ISO_UTC}\)( of )`);

/**
 * A note of a verification run, with the time of the checkpoint it begins with ("checkpoint #4
 * (sync, 2026-…Z) of acme-pharma was not compared: …", verify/checkpoints.ts notComparedNotes)
 * as the screen shows times; the rest of the note (tenant names, reasons) as it is.
 */
export function runNoteIn(note: string, tz: TimeZoneMode): string {
  const m = CHECKPOINT_NOTE.exec(note);
  return m ? `${m[1]}${formatTs(m[2]!, tz)})${m[3]}${note.slice(m[0].length)}` : note;
}

/** "checkpoint #3 (sync, 2026-12-05T10:00:00.000Z)" with its time as the screen shows times; any other label as it is. */
export function checkpointLabelIn(label: string, tz: TimeZoneMode): string {
  const m = CHECKPOINT_LABEL.exec(label);
  return m ? `${m[1]}${formatTs(m[2]!, tz)})` : label;
}

/** The break's explanation with the times its facts name as the screen shows times. */
export function breakExplanationIn(b: Pick<BreakJson, 'explanation' | 'facts'>, tz: TimeZoneMode): string {
  const f = b.facts;
  if (!f) return b.explanation;
  const swaps: [string, string][] = [];
  const rows: (RowFacts | null | undefined)[] = [
    'row' in f ? f.row : null,
    'from' in f && typeof f.from === 'object' ? f.from : null,
    'next' in f && 'time' in f.next ? f.next : null,
    'end' in f ? f.end : null,
  ];
  for (const r of rows) {
    if (r?.time) swaps.push([`id ${r.id}${printedAt(r.time)}`, `id ${r.id}, ${formatTs(r.time, tz)}`]);
  }
  const label = 'reference' in f ? f.reference.label : 'anchorLabel' in f ? f.anchorLabel : null;
  if (label !== null) {
    const takenAt = 'reference' in f && 'takenAt' in f.reference ? f.reference.takenAt : null;
    const synced = takenAt ? LAST_SYNCED.exec(takenAt) : null;
    if (takenAt && synced) swaps.push([`${label} (${takenAt})`, `${checkpointLabelIn(label, tz)} (last synced ${formatTs(synced[1]!, tz)})`]);
    else swaps.push([label, checkpointLabelIn(label, tz)]);
  }
  // In the order the sentence names them; each is looked for after the one before.
  let out = '';
  let rest = b.explanation;
  for (const [printed, shown] of swaps) {
    const at = rest.indexOf(printed);
    if (at < 0) continue;
    out += rest.slice(0, at) + shown;
    rest = rest.slice(at + printed.length);
  }
  return out + rest;
}

const VERIFICATION_SOURCE = new RegExp(String.raw`^((?:verification|controls run) of |drift finding #\d+ of [^,]+, carried over at the rebuild of )${ISO_UTC}( \()`);

/**
 * "verification of 2026-12-06T06:12:11.496Z (host:port/db · ab12…)" (or "controls run of …", or a
 * drift finding a rebuild carried over: "drift finding #3 of FILE, carried over at the rebuild of …"),
 * where a review item's evidence comes from, with its time as the screen shows times; the evidence itself is
 * shown as it was signed.
 */
export function verificationSourceIn(source: string, tz: TimeZoneMode): string {
  const m = VERIFICATION_SOURCE.exec(source);
  return m ? `${m[1]}${formatTs(m[2]!, tz)}${m[3]}${source.slice(m[0].length)}` : source;
}

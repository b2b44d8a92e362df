// The one place that words a chain break. The engine (chain-verifier.ts) records what it
// found as facts; this file turns them into the sentence users read in the CLI, the
// app, PDFs and the report JSON. The wording is published: change it only on purpose
// (test/unit/explain.test.ts holds one exact sentence per cause).
import type { BreakFacts, BreakRowFacts } from '../contract/verify-report.js';

/** Facts with seqs as the engine holds them (bigint) or as JSON carries them. */
type AnyFacts = BreakFacts<bigint | number | string>;
type AnyRow = BreakRowFacts<bigint | number | string>;

export function explainBreak(f: AnyFacts): string {
  switch (f.cause) {
    case 'malformed_seq':
      return `Row id ${f.row.id}${at(f.row.time)} has ${f.seqText == null ? 'no seq (NULL)' : `the seq "${f.seqText}", which is not an integer`}, so it has no place in the chain. Likely cause: the row was written or edited outside the audited application.`;
    case 'before_start':
      return `${describe(f.row)} lies before the start of the chain (seq ${f.startSeq}). Likely cause: a row was inserted in front of the first one.`;
    case 'out_of_order':
      return `${describe(f.row)} arrived after seq ${f.afterSeq}: the rows were not delivered in seq order, so this row could not be checked in its place.`;
    case 'malformed_hash': {
      const what: string[] = [];
      if (f.hash) what.push(`its ${f.hash.column} is ${show(f.hash.value)}`);
      if (f.prevHash) what.push(`its ${f.prevHash.column} is ${show(f.prevHash.value)}`);
      return `${describe(f.row)} cannot be checked: ${what.join(' and ')} instead of ${f.hexChars} lowercase hex characters. Likely cause: the hash columns were edited or cleared by hand.`;
    }
    case 'inserted_between':
      return `${describe(f.row)} does not belong between its neighbours: the next row (seq ${f.next.seq}, id ${f.next.id}) links past it to the row before it. Likely cause: a row was inserted into the chain.`;
    case 'duplicate':
      return `${describe(f.row)} is a second copy of the row with the same seq (id ${f.genuineId}${f.sameHash ? ', same hash' : ''}). Likely cause: the row was written twice or copied.`;
    case 'inserted_same_seq':
      return `${describe(f.row)} does not belong to the chain: seq ${f.row.seq} is already held by id ${f.genuineId}, which the neighbouring rows link to, and no row links to this one. Likely cause: a row was inserted with an existing seq.`;
    case 'content_changed':
      return `${describe(f.row)} was changed after it was written: its stored hash is ${f.storedHash} but its current content hashes to ${f.contentHash}. Likely cause: the row was edited in place without recomputing the chain.`;
    case 'altered':
      return `${describe(f.row)} was altered: its ${f.prevHashColumn} does not point to the previous row (${f.previousSeq !== null ? `seq ${f.previousSeq}` : 'the genesis value'}) and its stored hash ${f.storedHash} does not match its content (${f.contentHash}). Likely cause: the row's content and hash columns were edited.`;
    case 'next_disagrees':
      return `${describe(f.row)} hashes correctly on its own, but the next row (seq ${f.next.seq}, id ${f.next.id}) records its hash as ${f.recordedHash} while it is now ${f.currentHash}. Likely cause: the row was changed and its hash recomputed without re-chaining the rows after it (or the next row's ${f.prevHashColumn} was edited).`;
    case 'relinked':
      return `${describe(f.row)} links to ${f.linksTo}, but the previous row (seq ${f.previousSeq}) has hash ${f.previousHash}. Likely cause: this row's ${f.prevHashColumn} was edited and its hash recomputed.`;
    case 'first_not_genesis':
      return `${describe(f.row)} is the first row but its ${f.prevHashColumn} is ${f.linksTo} instead of the genesis value ${f.genesis}. Likely cause: the chain's first row was replaced or earlier rows were removed and the chain re-linked.`;
    case 'deleted': {
      const many = BigInt(f.missing) > 1n;
      const span = many ? `seqs ${f.firstMissing}–${f.lastMissing}` : `seq ${f.firstMissing}`;
      const from = f.from ? `from seq ${f.from.seq} (id ${f.from.id}${at(f.from.time)})` : 'from the start of the chain';
      const cause =
        f.gap === 'relinked'
          ? `the next row's ${f.prevHashColumn} was rewritten to bridge the gap, so the row was deleted and the chain re-linked`
          : f.gap === 'dangling'
            ? `the next row's ${f.prevHashColumn} points to a row that is not there, so the row was deleted`
            : `the first row present does not start the chain, so the first rows were deleted`;
      return `Row seq ${f.seq} is missing: the chain jumps ${from} to seq ${f.next.seq} (id ${f.next.id}${at(f.next.time)})${many ? `, ${f.missing} rows (${span}) in a row` : ''}. Likely cause: ${cause}.`;
    }
    case 'swapped':
      return `${describe(f.row)} is out of place: by its ${f.prevHashColumn} it belongs at seq ${f.belongsAt}${f.afterId !== null ? ` (after id ${f.afterId})` : ''}, and the row that belongs at seq ${f.row.seq} (id ${f.holder.id}) now sits at seq ${f.holder.seq}. Likely cause: the rows' seq values were swapped.`;
    case 'swapped_and_changed':
      return `${describe(f.row)} was also changed after it was written: at its own place (seq ${f.belongsAt}) its content hashes to ${f.contentHash}, not to its stored hash ${f.storedHash}.`;
    case 'rewritten_since_reference': {
      const also = f.checkpointsDisagreeing ? ` ${f.checkpointsDisagreeing} earlier checkpoint(s) disagree as well.` : '';
      const ref = `${f.reference.label}${f.reference.takenAt ? ` (${f.reference.takenAt})` : ''}`;
      return `${describe(f.row)} now has hash ${f.foundHash}, but ${ref} recorded ${f.recordedHash}; ${f.differing === 1 ? 'it is the only row that differs' : `${f.differing} rows from here on differ`} although the chain itself is consistent. Likely cause: the history was rewritten from seq ${f.row.seq} on (rows changed and their hashes recomputed).${also}`;
    }
    case 'rewritten_since_anchor': {
      const recorded = f.tree
        ? `recorded the Merkle root of the chain's first ${f.tree.size} rows as ${f.tree.root}, and the chain's first ${f.tree.size} rows (to seq ${f.seq}) no longer give it`
        : `recorded the chain's head there as ${f.headHash}`;
      return `The row at seq ${f.seq} now has hash ${f.foundHash}, but ${f.anchorLabel} ${recorded}; the chain is consistent, so its history was rewritten (rows changed and every later hash recomputed) somewhere in seqs ${f.from}–${f.to}. A cache synced before the change pins the exact row.`;
    }
    case 'truncated':
      return `The chain now ends at ${f.end ? `seq ${f.end.seq} (id ${f.end.id}${at(f.end.time)})` : 'no row at all'}, but ${f.reference.label} recorded it up to seq ${f.reference.lastSeq} (head hash ${f.reference.headHash}): ${f.count} newest row(s), seqs ${f.firstGone}–${f.reference.lastSeq}, were removed. Likely cause: the tail of the log was deleted (head truncation).`;
  }
}

/** "2026-01-05T08:59:12.500000Z" → ", 2026-01-05 08:59:12 UTC" */
function at(time: string | null | undefined): string {
  if (!time) return '';
  const m = /^(\d{4,}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(time);
  return m ? `, ${m[1]} ${m[2]} UTC` : `, ${time}`;
}

function describe(r: AnyRow): string {
  return `Row seq ${r.seq ?? '?'} (id ${r.id}${at(r.time)})`;
}

function show(v: string | null): string {
  if (v === null) return 'NULL';
  return v.length > 80 ? `"${v.slice(0, 77)}…"` : `"${v}"`;
}

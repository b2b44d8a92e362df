// "Jump to row" links (Integrity breaks, Findings samples) name the row itself, not only a
// filter around it: #/timeline?tenant=…&to=…&jump=seq:812 (or jump=rid:4711). The Timeline
// then selects that row, opens its drawer and scrolls it into view. Pure: unit-testable.
import type { RecordSummary } from '../../src-main/core/contract/records.js';

export type JumpTarget = { by: 'seq'; seq: number } | { by: 'rid'; rid: number };

export function parseJump(value: string | null): JumpTarget | null {
  const m = /^(seq|rid):(\d{1,18})$/.exec(value ?? '');
  if (!m) return null;
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) return null;
  return m[1] === 'seq' ? { by: 'seq', seq: n } : { by: 'rid', rid: n };
}

export function formatJump(target: JumpTarget): string {
  return target.by === 'seq' ? `seq:${target.seq}` : `rid:${target.rid}`;
}

/** The index of the target among the loaded rows (in list order), or null when not loaded. */
export function findJumpIndex(pages: Map<number, RecordSummary[]>, pageSize: number, target: JumpTarget): number | null {
  for (const [page, rows] of [...pages.entries()].sort((a, b) => a[0] - b[0])) {
    const i = rows.findIndex((r) => (target.by === 'seq' ? r.kind === 'event' && r.seq === target.seq : r.rid === target.rid));
    if (i !== -1) return page * pageSize + i;
  }
  return null;
}

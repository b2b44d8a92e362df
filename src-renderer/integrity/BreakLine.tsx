import type { BreakJson } from '../../src-main/core/contract/integrity.js';
import { formatJump } from '../timeline/jump-target.js';
import { useApp } from '../app/store.js';
import { breakExplanationIn } from '../app/worded-times.js';
import { printable } from '../../src-main/core/util/printable.js';

/** Timeline view that puts the broken row first (that tenant's events up to the break's time, newest first) and opens it. */
export function jumpHref(tenant: string, b: BreakJson): string | null {
  if (!b.time) return null;
  const t = new Date(b.time);
  if (Number.isNaN(t.getTime())) return null;
  const to = new Date(t.getTime() + 1000).toISOString();
  const p = new URLSearchParams({ tenant, kind: 'event', to });
  // The row itself, so the Timeline selects it and opens its drawer (not just the filter).
  const seq = typeof b.seq === 'number' ? b.seq : typeof b.seq === 'string' && /^\d+$/.test(b.seq) ? Number(b.seq) : null;
  if (seq !== null && Number.isSafeInteger(seq)) p.set('jump', formatJump({ by: 'seq', seq }));
  return `#/timeline?${p.toString()}`;
}

/** A break in one line: its kind, seq and explanation, and a link to the row when it has a time. */
export function BreakLine({ tenant, b }: { tenant: string; b: BreakJson }) {
  const href = jumpHref(tenant, b);
  const tz = useApp((s) => s.timeZone);
  return (
    <>
      <strong>{b.kind}</strong> at seq {b.seq ?? '?'}: {printable(breakExplanationIn(b, tz))}{' '}
      {href ? (
        <a href={href} aria-label={`Jump to the row at seq ${b.seq ?? '?'}`}>
          jump to row
        </a>
      ) : null}
    </>
  );
}

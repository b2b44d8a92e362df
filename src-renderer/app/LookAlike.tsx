import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { lookAlikes, lookAlikeWords, printable, printableLookAlike } from '../../src-main/core/util/printable.js';
import { selectCacheTenants, useApp } from './store.js';

/**
 * Each cached tenant that draws like another cached tenant, mapped to that other. Taken from
 * the whole cache, not from the rows in view, so a row is marked while its twin is on no page
 * shown. The status poll hands a new tenant list every few seconds; compared by name, the
 * pairs are worked out again only when a tenant comes or goes.
 */
export function useCachedTenantLookAlikes(alsoNamed: readonly string[] = NONE): ReadonlyMap<string, string> {
  const names = useApp(useShallow((s) => selectCacheTenants(s).map((t) => t.tenant)));
  // A report may name a tenant the cache no longer holds (a live verify, a cache rebuilt since).
  // Joined (no tenant id holds NUL: PostgreSQL text cannot) so a new array of the same names changes nothing.
  const extra = alsoNamed.join('\u0000');
  return useMemo(() => lookAlikes([...new Set([...names, ...(extra ? extra.split('\u0000') : [])])]), [names, extra]);
}

const NONE: readonly string[] = [];

/** Look-alike pairs among the values a facet lists (its empty value aside): for the facet panel and the rows that show that facet. */
export function facetLookAlikes(values: readonly { value: string | null }[]): Map<string, string> {
  return lookAlikes(values.flatMap((f) => (f.value === null ? [] : [f.value])));
}

/** A tenant in a table cell or a heading: its printable name, and the look-alike note when it has a twin. */
export function TenantName({ name, alike }: { name: string; alike: ReadonlyMap<string, string> }) {
  return (
    <>
      {printable(name)}
      {alike.has(name) ? ' ' : null}
      <LookAlikeNote name={name} other={alike.get(name)} />
    </>
  );
}

/** Beside a name that draws like another of the same list. */
export function LookAlikeNote({ name, other }: { name: string; other: string | undefined }) {
  if (other === undefined) return null;
  return (
    <span className="warn" data-testid="tenant-look-alike">
      ({lookAlikeWords(name, other)})
    </span>
  );
}

/** LookAlikeNote for a one-line row: the sentence would push the row onto a second line, so it is the mark's tooltip and accessible name. */
export function LookAlikeMark({ name, other }: { name: string; other: string | undefined }) {
  if (other === undefined) return null;
  const words = lookAlikeWords(name, other);
  return (
    <span role="img" className="warn look-alike-mark" title={words} aria-label={words} data-testid="row-look-alike">
      ⚠
    </span>
  );
}

/** A tenant as a picker's option: option text holds no markup, so the look-alike note becomes part of the label. */
export function tenantChoiceLabel(name: string, other: string | undefined): string {
  return other === undefined ? printable(name) : `${printable(name)} — ${lookAlikeWords(name, other)}`;
}

/** A tenant named in running text (a note, a filter chip): one of a look-alike pair is written so it differs from its twin (gl\u{43E}bex-bank). */
export function tenantText(name: string, alike: ReadonlyMap<string, string>): string {
  return alike.has(name) ? printableLookAlike(name) : printable(name);
}

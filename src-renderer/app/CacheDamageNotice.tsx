// Damage found in the local cache, shown where a verdict given before it would otherwise
// be read as current (Integrity, Review). `children` says what it means on that screen
// and offers the way out.
import type { ReactNode } from 'react';
import type { CacheDamage } from '../../src-main/core/contract/integrity.js';
import { useApp } from './store.js';
import { formatTs } from './format.js';
import { printable } from '../../src-main/core/util/printable.js';

export function CacheDamageNotice({ damage, children }: { damage: readonly CacheDamage[]; children: ReactNode }) {
  const tz = useApp((s) => s.timeZone);
  return (
    <div className="state state-error" role="alert" data-testid="cache-damage">
      <strong>The local cache is damaged.</strong>{' '}
      {damage.map((d) => (
        <span key={`${d.tenant}/${d.table}/${d.row}`}>
          {printable(`Row ${d.row} of ${d.table} (tenant ${d.tenant})`)} no longer matches what the sync stored (found {formatTs(d.foundAt, tz)}).{' '}
        </span>
      ))}
      Nothing is blamed on the source: the verdicts given before no longer speak for this cache. {children}
    </div>
  );
}

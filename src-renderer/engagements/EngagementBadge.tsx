// The header's reminder of whose data is on screen: the open engagement's name and
// client, a link to the switcher.
import { useEffect } from 'react';
import { printable } from '../../src-main/core/util/printable.js';
import { formatHash } from '../app/routes.js';
import { openEngagementOf, useEngagements } from './store.js';

export function EngagementBadge() {
  const list = useEngagements((s) => s.list);
  const load = useEngagements((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  const open = openEngagementOf(list);
  if (!open) return null;
  return (
    <a className="engagement-badge" href={formatHash('engagements')} data-testid="engagement-badge" title={`Engagement folder ${printable(open.dir)}: switch, create or archive`}>
      <span className="muted small">Engagement</span> <strong>{printable(open.name)}</strong>
      {open.client ? <span className="muted"> · {printable(open.client)}</span> : null}
    </a>
  );
}

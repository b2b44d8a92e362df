import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { FacetsResult, RecordSummary } from '../../src-main/core/contract/records.js';
import { printable } from '../../src-main/core/util/printable.js';
import { selectCacheTenants, useApp } from '../app/store.js';
import { formatTs } from '../app/format.js';
import { facetLookAlikes, LookAlikeMark, useCachedTenantLookAlikes } from '../app/LookAlike.js';
import { Highlighted } from './Highlighted.js';
import { jsonAsWords } from './readable.js';
import { rowAt, useTimeline } from './store.js';
import { scrollTopFor, windowAt } from './scroll-scale.js';

export const ROW_HEIGHT = 32;

/** Look-alike pairs among the values a facet lists, for the row cells that show that facet. */
type RowTwins = Record<'agent' | 'eventType' | 'user', ReadonlyMap<string, string>>;

const NO_TWINS: RowTwins = { agent: new Map(), eventType: new Map(), user: new Map() };

/**
 * The pairs the facet panel marks (an "аgent-x" beside "agent-x"), so a row shows the mark
 * beside its agent, event type or user as it does beside a look-alike tenant: the auditor
 * reading rows need not open the facet to learn that two ids only look the same.
 */
function rowTwinsOf(facets: FacetsResult | undefined): RowTwins {
  if (!facets) return NO_TWINS;
  const twins = (name: keyof RowTwins) => facetLookAlikes(facets.facets[name]?.values ?? []);
  return { agent: twins('agent'), eventType: twins('eventType'), user: twins('user') };
}

function Twin({ name, twins }: { name: string | null; twins: ReadonlyMap<string, string> }) {
  return name === null ? null : <LookAlikeMark name={name} other={twins.get(name)} />;
}

function RowCells({ row, tenantTwin, twins }: { row: RecordSummary; tenantTwin: string | undefined; twins: RowTwins }) {
  const tz = useApp((s) => s.timeZone);
  const isEvent = row.kind === 'event';
  return (
    <>
      <span role="gridcell" className="c-time">
        {row.undated ? (
          <span className="muted" title={row.ts === null ? 'no timestamp' : printable(row.ts)}>
            undated
          </span>
        ) : (
          formatTs(row.ts, tz)
        )}
      </span>
      <span role="gridcell" className="c-tenant">
        <span className="tenant-name">{printable(row.tenant)}</span>
        <LookAlikeMark name={row.tenant} other={tenantTwin} />
      </span>
      <span role="gridcell" className="c-kind">
        <span className={`pill pill-${row.kind}`}>{isEvent ? 'event' : 'chat'}</span>
      </span>
      <span role="gridcell" className="c-what">
        {printable((isEvent ? row.eventType : row.agentId) ?? '')}
        {isEvent ? <Twin name={row.eventType} twins={twins.eventType} /> : <Twin name={row.agentId} twins={twins.agent} />}
      </span>
      <span role="gridcell" className="c-sev">
        {isEvent ? <span className={`sev sev-${row.severity ?? 'none'}`}>{printable(row.severity ?? '')}</span> : printable(row.channel ?? '')}
      </span>
      <span role="gridcell" className="c-model">
        {printable((isEvent ? row.userId : [row.modelProvider, row.modelName].filter(Boolean).join(' / ')) ?? '')}
        {isEvent ? <Twin name={row.userId} twins={twins.user} /> : null}
      </span>
      <span role="gridcell" className="c-safety">
        {isEvent ? row.anomalyScore !== null ? <span className="score">{row.anomalyScore.toFixed(2)}</span> : null : printable(row.safetyMode ?? '')}
      </span>
      <span role="gridcell" className="c-preview">
        <Highlighted segments={isEvent ? jsonAsWords(row.preview) : row.preview} />
      </span>
    </>
  );
}

export function RecordList({ count }: { count: number }) {
  const pages = useTimeline((s) => s.pages);
  const pageErrors = useTimeline((s) => s.pageErrors);
  const ensurePages = useTimeline((s) => s.ensurePages);
  const selectedIndex = useTimeline((s) => s.selectedIndex);
  const select = useTimeline((s) => s.select);
  const openRecord = useTimeline((s) => s.openRecord);
  const generation = useTimeline((s) => s.generation);
  // The tenant column is as wide as the longest cached tenant name (a fixed width cut
  // "globex-bank" while Details had room to spare), with room for the look-alike mark when
  // the cache holds a pair; capped so Details keeps a share.
  const tenants = useApp(selectCacheTenants);
  const tenantTwins = useCachedTenantLookAlikes();
  const tenantCh = Math.min(28, Math.max(6, ...tenants.map((t) => printable(t.tenant).length)) + 1 + (tenantTwins.size > 0 ? 2 : 0));
  const facets = useTimeline((s) => s.facets);
  const twins = useMemo(() => rowTwinsOf(facets.state === 'ready' ? facets.value : undefined), [facets]);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight || 600));
    observer.observe(el);
    setViewport(el.clientHeight || 600);
    return () => observer.disconnect();
  }, []);

  // A new filter starts at the top.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [generation]);

  const win = windowAt(scrollTop, count, ROW_HEIGHT, viewport);

  // Fetch pages for the visible window, after scrolling settles for a frame or two.
  useEffect(() => {
    if (win.last < 0) return;
    const t = setTimeout(() => ensurePages(win.first, win.last), 30);
    return () => clearTimeout(t);
  }, [win.first, win.last, ensurePages, generation]);

  const onScroll = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  }, []);

  // Keep the selected row in view (j/k navigation).
  useEffect(() => {
    const el = scroller.current;
    if (!el || selectedIndex === null) return;
    const visibleFirst = windowAt(el.scrollTop, count, ROW_HEIGHT, viewport, 0).first;
    const rowsInView = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    if (selectedIndex < visibleFirst || selectedIndex >= visibleFirst + rowsInView) {
      const target = selectedIndex < visibleFirst ? selectedIndex : selectedIndex - rowsInView + 1;
      el.scrollTop = scrollTopFor(Math.max(0, target), count, ROW_HEIGHT, viewport);
      setScrollTop(el.scrollTop);
    }
  }, [selectedIndex, count, viewport]);

  const rows = [];
  for (let i = win.first; i <= win.last; i++) {
    const row = rowAt(pages, i);
    const top = win.firstTop + (i - win.first) * ROW_HEIGHT;
    const selected = i === selectedIndex;
    if (!row) {
      const error = pageErrors.get(Math.floor(i / 100));
      rows.push(
        <div key={i} role="row" aria-rowindex={i + 2} className="row row-pending" style={{ top, height: ROW_HEIGHT }}>
          <span role="gridcell" className={error ? 'error-text' : 'muted'}>
            {error ? `Could not load rows: ${error}` : 'Loading…'}
          </span>
        </div>,
      );
      continue;
    }
    rows.push(
      <div
        key={i}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={selected}
        data-rid={row.rid}
        className={`row${selected ? ' row-selected' : ''}`}
        style={{ top, height: ROW_HEIGHT }}
        onClick={() => {
          select(i);
          openRecord(row.rid);
        }}
      >
        <RowCells row={row} tenantTwin={tenantTwins.get(row.tenant)} twins={twins} />
      </div>,
    );
  }

  return (
    <div className="record-grid" role="grid" aria-label="Events and conversations" aria-rowcount={count + 1} style={{ '--tenant-col': `${tenantCh}ch` } as CSSProperties}>
      <div className="row row-header" role="row" aria-rowindex={1}>
        <span role="columnheader" className="c-time">
          Time
        </span>
        <span role="columnheader" className="c-tenant">
          Tenant
        </span>
        <span role="columnheader" className="c-kind">
          Kind
        </span>
        <span role="columnheader" className="c-what">
          Type / agent
        </span>
        <span role="columnheader" className="c-sev">
          Severity / channel
        </span>
        <span role="columnheader" className="c-model">
          User / model
        </span>
        <span role="columnheader" className="c-safety">
          Score / safety
        </span>
        <span role="columnheader" className="c-preview">
          Details
        </span>
      </div>
      <div ref={scroller} className="record-scroller" onScroll={onScroll} tabIndex={-1} data-testid="record-scroller">
        <div className="record-spacer" role="rowgroup" style={{ height: win.spacerHeight }}>
          {rows}
        </div>
      </div>
    </div>
  );
}

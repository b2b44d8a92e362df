import { useCallback, useDeferredValue, useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { printable } from '../../src-main/core/util/printable.js';
import { useApp } from '../app/store.js';
import { countOf, formatBound, formatCount, formatTs, tzLabel } from '../app/format.js';
import { againstLabel, breaksLabel, intactNotCheckedHere, needsWarning, useChainVerdicts } from '../app/chain-verdicts.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { navigate } from '../app/routes.js';
import { useShortcuts } from '../app/keys.js';
import { FacetPanel } from '../filters/FacetPanel.js';
import { SavedFilters } from '../filters/SavedFilters.js';
import { SearchBox } from '../filters/SearchBox.js';
import { FACET_LABELS, LIST_KEYS, filterFromParams, filterKey, filterToParams, isEmptyFilter, type Filter } from '../filters/filter-state.js';
import { EventDrawer } from './EventDrawer.js';
import { HistogramChart } from './HistogramChart.js';
import { RecordList } from './RecordList.js';
import { PAGE_SIZE, rowAt, useTimeline } from './store.js';
import { findJumpIndex, parseJump } from './jump-target.js';
import { tenantText, useCachedTenantLookAlikes } from '../app/LookAlike.js';

function ActiveFilters({ filter, onChange }: { filter: Filter; onChange(f: Filter): void }) {
  const tz = useApp((s) => s.timeZone);
  const tenantTwins = useCachedTenantLookAlikes();
  const chips: { label: string; clear: Filter }[] = [];
  for (const key of LIST_KEYS) {
    for (const v of filter[key] ?? []) {
      chips.push({ label: `${FACET_LABELS[key]}: ${key === 'tenant' ? tenantText(v, tenantTwins) : v}`, clear: { ...filter, [key]: (filter[key] ?? []).filter((x) => x !== v) } });
    }
  }
  if (filter.text) chips.push({ label: `Text: ${filter.text}`, clear: { ...filter, text: undefined } });
  if (filter.from) chips.push({ label: `From ${formatBound(filter.from, tz)}`, clear: { ...filter, from: undefined } });
  if (filter.to) chips.push({ label: `Before ${formatBound(filter.to, tz)}`, clear: { ...filter, to: undefined } });
  if (filter.temperatureMin !== undefined || filter.temperatureMax !== undefined) {
    chips.push({ label: `Temperature ${filter.temperatureMin ?? '…'}–${filter.temperatureMax ?? '…'}`, clear: { ...filter, temperatureMin: undefined, temperatureMax: undefined } });
  }
  if (filter.minAnomalyScore !== undefined) chips.push({ label: `Anomaly score ≥ ${filter.minAnomalyScore}`, clear: { ...filter, minAnomalyScore: undefined } });
  if (!chips.length) return null;
  return (
    <ul className="chips" aria-label="Active filters">
      {chips.map((c) => {
        const label = printable(c.label);
        return (
          <li key={c.label}>
            <span className="chip-label">{label}</span>
            <button type="button" aria-label={`Remove filter ${label}`} onClick={() => onChange(c.clear)}>
              ✕
            </button>
          </li>
        );
      })}
      <li>
        <button type="button" className="link" onClick={() => onChange({})}>
          Clear all
        </button>
      </li>
    </ul>
  );
}

/** The tenants in view whose chain the latest verification found broken, named above the list. */
function BrokenChainsNote({ tenants }: { tenants: string[] | undefined }) {
  const verdicts = useChainVerdicts((s) => s.byTenant);
  const tz = useApp((s) => s.timeZone);
  const tenantTwins = useCachedTenantLookAlikes();
  const broken = Object.values(verdicts).filter((v) => needsWarning(v) && (!tenants?.length || tenants.includes(v.tenant)));
  if (!broken.length) return null;
  return (
    <p className="chain-warning" role="note" data-testid="timeline-chain-broken">
      {broken.map((v, i) => (
        <span key={v.tenant}>
          {i > 0 ? '; ' : ''}⚠ {tenantText(v.tenant, tenantTwins)}: {breaksLabel(v)}{' '}
          {v.damagedTables.length
            ? `(damage found in the cache after the verdict of ${formatTs(v.checkedAt, tz)}, which no longer applies)`
            : `(verified ${formatTs(v.checkedAt, tz)} against ${againstLabel(v.against)}${v.notCheckedHere ? `; ${printable(v.notCheckedHere.words)}, not checked here` : ''})`}
        </span>
      ))}{' '}
      · <a href="#/integrity">see Integrity</a>
    </p>
  );
}

/** The tenants in view whose chain verdict says intact without having been checked here: said, so their rows read as unverified, not as fine. */
function NotCheckedHereNote({ tenants }: { tenants: string[] | undefined }) {
  const verdicts = useChainVerdicts((s) => s.byTenant);
  const tenantTwins = useCachedTenantLookAlikes();
  const unchecked = Object.values(verdicts).filter((v) => intactNotCheckedHere(v) && (!tenants?.length || tenants.includes(v.tenant)));
  if (!unchecked.length) return null;
  return (
    <p className="warn" role="note" data-testid="timeline-chain-not-checked-here">
      Chain verdict not checked here: {unchecked.map((v) => `${tenantText(v.tenant, tenantTwins)} (says intact; ${printable(v.notCheckedHere!.words)})`).join('; ')} ·{' '}
      <a href="#/integrity">verify on Integrity</a>
    </p>
  );
}

export function TimelineScreen() {
  const params = useApp((s) => s.route.params);
  const tz = useApp((s) => s.timeZone);
  const cacheTenants = useApp((s) => s.status?.cache.tenants);
  const { filter, count, provisionalCount, histogram, facets, setFilter, selectedIndex, select, openRecord, drawer, closeDrawer, reload } = useTimeline(
    useShallow((s) => ({
      filter: s.filter,
      count: s.count,
      provisionalCount: s.provisionalCount,
      histogram: s.histogram,
      facets: s.facets,
      setFilter: s.setFilter,
      selectedIndex: s.selectedIndex,
      select: s.select,
      openRecord: s.openRecord,
      drawer: s.drawer,
      closeDrawer: s.closeDrawer,
      reload: s.reload,
    })),
  );
  // The chart and the facet lists arrive after the rows; rendered as deferred values, React
  // draws them in interruptible slices, so their arrival never blocks a scroll or a keypress.
  const shownHistogram = useDeferredValue(histogram);
  const shownFacets = useDeferredValue(facets);
  const search = useRef<HTMLInputElement>(null);

  // The URL is the source of truth for the filter: reloads, bookmarks and back/forward
  // work. Opening the screen always fetches fresh rows (the cache may have changed).
  const mounted = useRef(false);
  useEffect(() => {
    setFilter(filterFromParams(params), !mounted.current);
    mounted.current = true;
  }, [params, setFilter]);

  // A sync changed the cache underneath the open screen: fetch again.
  const cacheSignature = useApp((s) => JSON.stringify(s.status?.cache.tenants ?? null));
  const lastSignature = useRef(cacheSignature);
  useEffect(() => {
    if (lastSignature.current === cacheSignature) return;
    lastSignature.current = cacheSignature;
    reload();
  }, [cacheSignature, reload]);

  // The rows are asked for right here, in the click's own task; the URL follows, and the
  // route effect above then finds the filter already applied (no re-render before the
  // requests leave).
  const applyFilter = useCallback((next: Filter) => {
    if (filterKey(next) === filterKey(useTimeline.getState().filter)) return;
    useTimeline.getState().setFilter(next);
    navigate('timeline', filterToParams(next));
  }, []);
  const zoom = useCallback((from: string, to: string) => applyFilter({ ...useTimeline.getState().filter, from, to }), [applyFilter]);

  const total = count.state === 'ready' ? count.value.total : provisionalCount;

  const step = (delta: 1 | -1) => {
    const state = useTimeline.getState();
    const n = state.count.state === 'ready' ? state.count.value.total : state.provisionalCount;
    if (n === 0) return false;
    const cur = state.selectedIndex;
    const next = cur === null ? 0 : Math.min(n - 1, Math.max(0, cur + delta));
    select(next);
    // With the drawer open, j/k walk through the events in it.
    const row = rowAt(state.pages, next);
    if (state.drawer && row) openRecord(row.rid);
    // Focus follows the selection into the list unless it is in the drawer: left on the nav
    // link or a button just clicked, the next Enter would press that instead of opening the row.
    if (!document.activeElement?.closest('[role=dialog]')) document.querySelector<HTMLElement>('[data-testid=record-scroller]')?.focus({ preventScroll: true });
  };
  useShortcuts({
    j: () => step(1),
    k: () => step(-1),
    Enter: () => {
      const state = useTimeline.getState();
      const row = state.selectedIndex !== null ? rowAt(state.pages, state.selectedIndex) : undefined;
      if (!row) return false;
      openRecord(row.rid);
    },
    '/': () => {
      search.current?.focus();
      search.current?.select();
    },
    Escape: () => {
      if (!useTimeline.getState().drawer) return false;
      closeDrawer();
    },
  });

  // A jump link names one row: once its page is loaded, select it and open its drawer (once
  // per link; moving on with j/k or another filter is not undone).
  const jump = parseJump(params.get('jump'));
  const jumpKey = jump ? `${params.toString()}` : null;
  const jumped = useRef<string | null>(null);
  const pages = useTimeline((s) => s.pages);
  useEffect(() => {
    if (!jump || jumpKey === null || jumped.current === jumpKey) return;
    const index = findJumpIndex(pages, PAGE_SIZE, jump);
    if (index === null) return;
    jumped.current = jumpKey;
    select(index);
    const row = rowAt(pages, index);
    if (row) openRecord(row.rid);
  }, [jump, jumpKey, pages, select, openRecord]);

  const cacheEmpty = cacheTenants !== undefined && cacheTenants.length === 0;
  // A cache that cannot be read fails the count, the chart and the facets alike: the reason
  // is said once, where the rows would be, not four times down the screen.
  const failedCount = count.state === 'error' ? count.message : null;

  return (
    <div className={`timeline${drawer ? ' with-drawer' : ''}`}>
      <FacetPanel filter={filter} facets={shownFacets} onChange={applyFilter} errorSaidBeside={failedCount} />
      <section className="timeline-main" aria-label="Timeline">
        <div className="toolbar">
          <SearchBox ref={search} value={filter.text ?? ''} onSearch={(text) => applyFilter({ ...filter, text: text || undefined })} />
          <SavedFilters filter={filter} onApply={applyFilter} />
        </div>
        <ActiveFilters filter={filter} onChange={applyFilter} />
        <div className="result-line" role="status" aria-live="polite" data-testid="result-count">
          {count.state === 'ready' ? (
            <>
              <strong>{formatCount(count.value.total)}</strong> {count.value.total === 1 ? 'row' : 'rows'} ({countOf(count.value.events, 'system event')},{' '}
              {countOf(count.value.conversations, 'conversation')}
              {count.value.undated ? `, ${formatCount(count.value.undated)} undated` : ''}) · times in {tzLabel(tz)} · newest first
            </>
          ) : count.state === 'error' ? (
            <span className="error-text">Rows could not be counted: the reason is shown below.</span>
          ) : (
            'Counting…'
          )}
        </div>
        <BrokenChainsNote tenants={filter.tenant} />
        <NotCheckedHereNote tenants={filter.tenant} />
        {shownHistogram.state === 'ready' && shownHistogram.value.bins.length > 0 ? (
          <HistogramChart histogram={shownHistogram.value} onZoom={zoom} />
        ) : shownHistogram.state === 'error' && shownHistogram.message !== failedCount ? (
          <ErrorState message={shownHistogram.message} onRetry={reload} />
        ) : shownHistogram.state === 'loading' ? (
          <div className="histogram-placeholder">
            <Loading label="Drawing the histogram…" />
          </div>
        ) : null}
        {count.state === 'error' ? (
          <ErrorState message={count.message} onRetry={reload} />
        ) : count.state === 'ready' && count.value.total === 0 ? (
          cacheEmpty ? (
            <Empty title="The cache is empty.">
              Sync a tenant from <a href="#/connections">Connections</a> to review its audit trail here (it then works offline).
            </Empty>
          ) : (
            <Empty title="No rows match these filters.">
              {isEmptyFilter(filter) ? null : (
                <button type="button" onClick={() => applyFilter({})}>
                  Clear all filters
                </button>
              )}
            </Empty>
          )
        ) : total > 0 ? (
          <RecordList count={total} />
        ) : (
          <Loading label="Loading rows…" />
        )}
        <p className="keys-help muted small">
          Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>Enter</kbd> open · <kbd>/</kbd> search · <kbd>Esc</kbd> close
          {selectedIndex !== null ? ` · row ${formatCount(selectedIndex + 1)} of ${formatCount(total)}` : ''}
        </p>
      </section>
      <EventDrawer />
    </div>
  );
}

import type { CacheIndexing } from '../../src-main/core/contract/status.js';
import { cacheCannotOpen, processNotAnswering, useApp } from './store.js';
import { breaksLabel, intactNotCheckedHere, needsWarning, useChainVerdicts } from './chain-verdicts.js';
import { countOf } from './format.js';
import { lookAlikes, printable } from '../../src-main/core/util/printable.js';
import { LookAlikeNote, tenantText } from './LookAlike.js';

/** Live line from the main process: is the source reachable, and how many rows each tenant has. */
export function StatusLine() {
  const status = useApp((s) => s.status);
  const statusError = useApp((s) => s.statusError);
  const statusErrorCode = useApp((s) => s.statusErrorCode);
  const verdicts = useChainVerdicts((s) => s.byTenant);
  if (statusError) {
    return (
      <footer className="statusline" role="status" aria-label="Status">
        <span className="dot dot-bad" aria-hidden="true" />{' '}
        {cacheCannotOpen(statusErrorCode) ? 'Cache cannot be opened' : processNotAnswering(statusErrorCode) ? 'App process not answering' : 'Status not available'}
      </footer>
    );
  }
  if (!status) {
    return (
      <footer className="statusline" role="status" aria-label="Status">
        Checking status…
      </footer>
    );
  }
  const source = status.source;
  const sourceName = source ? (source.isDemo ? 'Demo tenant' : printable(source.label)) : null;
  // Two cached tenants a reader cannot tell apart (a Cyrillic о, a zero-width space): each says so.
  const alike = lookAlikes(status.cache.tenants.map((t) => t.tenant));
  // The source's tenants against each other and the cache's: a twin not yet synced counts too.
  const sourceAlike = lookAlikes([...(source?.tenants ?? []), ...status.cache.tenants].map((t) => t.tenant));
  return (
    <footer className="statusline" role="status" aria-label="Status" aria-live="polite">
      <span data-testid="source-state">
        {source === null ? (
          <>
            <span className="dot dot-idle" aria-hidden="true" /> No connection configured
          </>
        ) : source.reachable ? (
          <>
            <span className="dot dot-ok" aria-hidden="true" /> {sourceName} reachable
            {source.readOnly === false ? <span className="warn"> · not read-only</span> : null}
          </>
        ) : (
          <>
            <span className="dot dot-bad" aria-hidden="true" /> {sourceName} unreachable
            {source.error ? <span className="muted"> ({printable(source.error)})</span> : null}
          </>
        )}
      </span>
      {source?.reachable && source.tenants.length > 0 ? (
        <span data-testid="source-tenants">
          Source:{' '}
          {source.tenants.map((t, i) => (
            <span key={t.tenant} className="tenant-count" data-tenant={t.tenant}>
              {i > 0 ? ' · ' : ''}
              {tenantText(t.tenant, sourceAlike)} {countOf(t.events, 'event')}, {countOf(t.conversations, 'conversation')}
            </span>
          ))}
        </span>
      ) : null}
      <span data-testid="cache-tenants">
        Cache:{' '}
        {status.cache.tenants.length === 0
          ? 'empty (sync from Connections)'
          : status.cache.tenants.map((t, i) => (
              <span key={t.tenant} className="tenant-count" data-tenant={t.tenant}>
                {i > 0 ? ' · ' : ''}
                {printable(t.tenant)}{' '}
                {alike.has(t.tenant) ? (
                  <>
                    <LookAlikeNote name={t.tenant} other={alike.get(t.tenant)} />{' '}
                  </>
                ) : null}
                {t.events === null ? <span className="muted">being filled, counted when the fill ends</span> : `${countOf(t.events, 'event')}, ${countOf(t.conversations ?? 0, 'conversation')}`}
                {needsWarning(verdicts[t.tenant]) ? (
                  <a href="#/integrity" className="error-text chain-flag" data-testid="status-chain-broken">
                    {' '}
                    ⚠ {breaksLabel(verdicts[t.tenant]!)}
                  </a>
                ) : intactNotCheckedHere(verdicts[t.tenant]) ? (
                  // An "intact" that is another auditor's word, or a record no key here signed, is no tick either.
                  <a href="#/integrity" className="warn chain-flag" title={`${printable(verdicts[t.tenant]!.notCheckedHere!.words)}, not checked here`} data-testid="status-chain-not-checked-here">
                    {' '}
                    chain verdict not checked here
                  </a>
                ) : null}
              </span>
            ))}
      </span>
      <IndexingState indexing={status.cache.indexing} />
      <span className="statusline-right muted">
        v{status.version} · {status.frontDoor}
      </span>
    </footer>
  );
}

/**
 * Facet indexes a sync left for later: every result is already complete, only the
 * timeline's filters are slower until the background build ends. Said plainly, never as
 * a fault: nothing is missing.
 */
function IndexingState({ indexing }: { indexing: CacheIndexing | null }) {
  if (!indexing) return null;
  const left = `${indexing.pending} facet ${indexing.pending === 1 ? 'index' : 'indexes'} still to build`;
  const why = indexing.error
    ? `the background build failed (${indexing.error}); the next sync builds them`
    : indexing.phase === 'waiting'
      ? 'waiting for another sync of this cache to finish'
      : indexing.phase
        ? 'building in the background'
        : 'built at the next sync';
  return (
    <span data-testid="cache-indexing" className="warn" title="Every result is complete; only the timeline's filters are slower until the indexes are built.">
      Indexing — filters may be slower ({left}, {why})
    </span>
  );
}

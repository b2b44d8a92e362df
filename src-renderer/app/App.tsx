import { useEffect } from 'react';
import { printable } from '../../src-main/core/util/printable.js';
import { cacheCannotOpen, processNotAnswering, useApp } from './store.js';
import { parseHash, SCREENS, SCREEN_LABELS, formatHash, type Screen } from './routes.js';
import { StatusLine } from './StatusLine.js';
import { ScreenBoundary } from './ScreenBoundary.js';
import { useChainVerdicts } from './chain-verdicts.js';
import { TimelineScreen } from '../timeline/TimelineScreen.js';
import { AnomaliesScreen } from '../anomalies/AnomaliesScreen.js';
import { IntegrityScreen } from '../integrity/IntegrityScreen.js';
import { ControlsScreen } from '../controls/ControlsScreen.js';
import { ExportScreen } from '../export/ExportScreen.js';
import { ReviewScreen } from '../review/ReviewScreen.js';
import { ConnectionsScreen } from '../connections/ConnectionsScreen.js';
import { EngagementsScreen } from '../engagements/EngagementsScreen.js';
import { EngagementBadge } from '../engagements/EngagementBadge.js';

const STATUS_POLL_MS = 5000;
const INDEXING_POLL_MS = 1000;

function ScreenView({ screen }: { screen: Screen }) {
  switch (screen) {
    case 'timeline':
      return <TimelineScreen />;
    case 'anomalies':
      return <AnomaliesScreen />;
    case 'integrity':
      return <IntegrityScreen />;
    case 'controls':
      return <ControlsScreen />;
    case 'review':
      return <ReviewScreen />;
    case 'export':
      return <ExportScreen />;
    case 'connections':
      return <ConnectionsScreen />;
    case 'engagements':
      return <EngagementsScreen />;
  }
}

/** The message after the banner's heading, without saying the heading twice (the browser bridge's own words begin with it). */
function withoutHeading(message: string, heading: string): string {
  const lead = heading.replace(/\.$/, '');
  if (!message.startsWith(lead)) return message;
  const rest = message.slice(lead.length).replace(/^[:.]\s*/, '');
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

function SourceBanner() {
  const sourceLost = useApp((s) => s.sourceLost);
  const source = useApp((s) => s.status?.source ?? null);
  const statusError = useApp((s) => s.statusError);
  const statusErrorCode = useApp((s) => s.statusErrorCode);
  if (statusError) {
    // The process answered with an error about the cache: it is running, the file is what failed.
    const heading = cacheCannotOpen(statusErrorCode)
      ? "This engagement's cache cannot be opened."
      : processNotAnswering(statusErrorCode)
        ? 'The AuditDesk process is not answering.'
        : 'The status could not be read.';
    return (
      <div className="banner banner-error" role="alert">
        <strong>{heading}</strong> {printable(withoutHeading(statusError, heading))}
        {statusErrorCode === 'E_CACHE_CORRUPT' ? (
          <>
            {' '}
            <a href="#/integrity">Integrity</a> offers “Rebuild the cache”.
          </>
        ) : null}
      </div>
    );
  }
  if (!sourceLost || !source) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="source-lost-banner">
      <strong>Connection to {source.isDemo ? 'the demo tenant' : printable(source.label)} lost.</strong> {source.error ? <span>{printable(source.error)} </span> : null}
      Offline review continues on the cached data; sync again once the source is back (Connections).
    </div>
  );
}

export function App() {
  const route = useApp((s) => s.route);
  const theme = useApp((s) => s.theme);
  const timeZone = useApp((s) => s.timeZone);
  const setRoute = useApp((s) => s.setRoute);
  const setTheme = useApp((s) => s.setTheme);
  const setTimeZone = useApp((s) => s.setTimeZone);
  const refreshStatus = useApp((s) => s.refreshStatus);

  useEffect(() => {
    const onHash = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [setRoute]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // One status call at a time: the next poll is scheduled after the previous answer,
  // so a slow source or a large cache never piles calls up in the main process.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sourceAskedAt = -Infinity;
    const poll = async () => {
      const askSource = Date.now() - sourceAskedAt >= STATUS_POLL_MS;
      if (askSource) sourceAskedAt = Date.now();
      await refreshStatus(askSource);
      await useChainVerdicts.getState().load();
      // While a background index build runs, the cache is asked every second (the source
      // still every five): "Indexing — filters may be slower" must not outlive the build.
      const building = Boolean(useApp.getState().status?.cache.indexing?.phase);
      if (!stopped) timer = setTimeout(() => void poll(), building ? INDEXING_POLL_MS : STATUS_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [refreshStatus]);

  return (
    <div className="app">
      {/* The first Tab stop: past the eleven controls of the top bar to the screen itself
          (WCAG 2.4.1). A button, not a link: a link's #target would be read as a route. */}
      <button type="button" className="skip-link" onClick={() => document.getElementById('screen')?.focus()}>
        Skip to {SCREEN_LABELS[route.screen]}
      </button>
      <header className="topbar">
        <div className="brand" aria-label="AuditDesk">
          <img src="./favicon.svg" alt="" width={22} height={22} />
          <span>AuditDesk</span>
        </div>
        <EngagementBadge />
        <nav aria-label="Main">
          <ul className="nav">
            {SCREENS.map((screen) => (
              <li key={screen}>
                <a href={formatHash(screen)} aria-current={route.screen === screen ? 'page' : undefined}>
                  {SCREEN_LABELS[screen]}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-tools">
          <label className="toggle">
            <span>Times</span>
            <select aria-label="Time zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value === 'local' ? 'local' : 'utc')}>
              <option value="utc">UTC</option>
              <option value="local">Local</option>
            </select>
          </label>
          <button type="button" className="icon-button" aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
            {theme === 'dark' ? '☀' : '☾'}
          </button>
        </div>
      </header>
      <SourceBanner />
      <main id="screen" tabIndex={-1} className="screen" aria-label={SCREEN_LABELS[route.screen]}>
        {/* keyed by screen: leaving a failed screen and coming back tries it afresh */}
        <ScreenBoundary key={route.screen} label={SCREEN_LABELS[route.screen]}>
          <ScreenView screen={route.screen} />
        </ScreenBoundary>
      </main>
      <StatusLine />
    </div>
  );
}

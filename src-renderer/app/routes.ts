// Hash routes (#/timeline?modelProvider=openai&text=…): work the same under
// http://127.0.0.1 and app://, and keep each view's state in the URL so it can be reopened.
export const SCREENS = ['timeline', 'anomalies', 'integrity', 'controls', 'review', 'export', 'connections', 'engagements'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_LABELS: Record<Screen, string> = {
  timeline: 'Timeline',
  anomalies: 'Anomalies',
  integrity: 'Integrity',
  controls: 'Controls',
  review: 'Review',
  export: 'Export',
  connections: 'Connections',
  engagements: 'Engagements',
};

export interface Route {
  screen: Screen;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const screen = (SCREENS as readonly string[]).includes(path) ? (path as Screen) : 'timeline';
  return { screen, params: new URLSearchParams(query) };
}

export function formatHash(screen: Screen, params?: URLSearchParams): string {
  const q = params?.toString();
  return `#/${screen}${q ? `?${q}` : ''}`;
}

export function navigate(screen: Screen, params?: URLSearchParams): void {
  const next = formatHash(screen, params);
  if (location.hash !== next) location.hash = next;
}

import { create } from 'zustand';
import type { AppStatus, TenantCounts } from '../../src-main/core/contract/status.js';
import { api, errorCode, errorMessage } from '../api/client.js';
import { parseHash, type Route } from './routes.js';

import type { TimeZoneMode } from './format.js';

export type { TimeZoneMode };
export type Theme = 'light' | 'dark';

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const v = localStorage.getItem(key);
    return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
  } catch {
    return fallback;
  }
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* storage may be disabled; the choice then lasts for this window only */
  }
}

interface AppState {
  route: Route;
  theme: Theme;
  timeZone: TimeZoneMode;
  status: AppStatus | null;
  /** the status call failed: the app process is gone, or it answered with an error (a cache it cannot open) */
  statusError: string | null;
  /** the error's code: E_CACHE_CORRUPT … when the process answered with one, E_BRIDGE when the call got no answer */
  statusErrorCode: string | null;
  /** the source was reachable during this session and is not any more */
  sourceLost: boolean;
  everReachable: boolean;
  setRoute(route: Route): void;
  setTheme(theme: Theme): void;
  setTimeZone(tz: TimeZoneMode): void;
  refreshStatus(refreshSource: boolean): Promise<void>;
}

const prefersDark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;

/** The codes with which the app process refuses the open engagement's cache (docs/errors.md): it answered, the file failed. */
const CACHE_CANNOT_OPEN = new Set(['E_CACHE_CORRUPT', 'E_CACHE_OPEN', 'E_CACHE_NEWER', 'E_CACHE_COLUMNS', 'E_CACHE_READONLY']);

export const cacheCannotOpen = (code: string | null): boolean => code !== null && CACHE_CANNOT_OPEN.has(code);

/** No answer at all: the call failed on its way (api/client.ts says E_BRIDGE), or nothing said why. */
export const processNotAnswering = (code: string | null): boolean => code === null || code === 'E_BRIDGE';

export const useApp = create<AppState>((set, get) => ({
  route: parseHash(location.hash),
  theme: stored<Theme>('auditdesk.theme', ['light', 'dark'], prefersDark ? 'dark' : 'light'),
  timeZone: stored<TimeZoneMode>('auditdesk.tz', ['utc', 'local'], 'utc'),
  status: null,
  statusError: null,
  statusErrorCode: null,
  sourceLost: false,
  everReachable: false,
  setRoute: (route) => set({ route }),
  setTheme: (theme) => {
    remember('auditdesk.theme', theme);
    set({ theme });
  },
  setTimeZone: (timeZone) => {
    remember('auditdesk.tz', timeZone);
    set({ timeZone });
  },
  refreshStatus: async (refreshSource) => {
    try {
      const status = await api['status.get']({ refreshSource });
      const source = status.source;
      // "Lost" = it was reachable during this session and now is not: worth a banner. A
      // source that was never reachable is shown in the status line and on Connections.
      const everReachable = get().everReachable || (source?.reachable ?? false);
      const sourceLost = everReachable && source !== null && !source.reachable;
      set({ status, statusError: null, statusErrorCode: null, everReachable, sourceLost });
    } catch (e) {
      set({ statusError: errorMessage(e), statusErrorCode: errorCode(e) });
    }
  },
}));

// Selectors hand back what the store holds or a shared constant: a fresh [] per call makes
// zustand see a change on every render, and React stops the loop by unmounting the screen
// (test/unit/renderer-selectors.test.ts keeps the rule).
const NO_TENANTS: readonly TenantCounts[] = [];

/** The cached tenants and their counts; empty until the first status answer. */
export const selectCacheTenants = (s: AppState): readonly TenantCounts[] => s.status?.cache.tenants ?? NO_TENANTS;

// Timeline state: the filter (mirrored in the URL), the row count, pages of rows fetched
// on demand for the visible window, and the histogram/facets for the same filter. Every
// response is tagged with the filter generation it was asked for; late answers for an
// older filter are dropped, so fast typing never shows stale rows.
import { create } from 'zustand';
import type { FacetsResult, Histogram, RecordCount, RecordDetail, RecordSummary, Thread } from '../../src-main/core/contract/records.js';
import { api, errorMessage } from '../api/client.js';
import { cleanFilter, filterKey, type Filter } from '../filters/filter-state.js';

export const PAGE_SIZE = 100;
const MAX_CACHED_PAGES = 60;

type Load<T> = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; message: string };

interface TimelineState {
  filter: Filter;
  generation: number;
  count: Load<RecordCount>;
  /** rows known so far for this filter when the count is not back yet */
  provisionalCount: number;
  pages: Map<number, RecordSummary[]>;
  pageErrors: Map<number, string>;
  histogram: Load<Histogram>;
  facets: Load<FacetsResult>;
  selectedIndex: number | null;
  drawer: { rid: number; detail: Load<RecordDetail> } | null;
  thread: { tenant: string; sessionId: string; data: Load<Thread> } | null;
  /** `force`: reload even when the filter is unchanged (the cache changed underneath). */
  setFilter(filter: Filter, force?: boolean): void;
  patchFilter(patch: Partial<Filter>): void;
  ensurePages(first: number, last: number): void;
  select(index: number | null): void;
  openRecord(rid: number): void;
  closeDrawer(): void;
  openThread(tenant: string, sessionId: string): void;
  closeThread(): void;
  reload(): void;
}

/** page requests on their way, by `${generation}:${page}` */
const inflight = new Map<string, Promise<void>>();

export const useTimeline = create<TimelineState>((set, get) => {
  // What puts rows on screen goes first: the first page and the count. Histogram and
  // facets are asked for only once both are back and the filter is still the current
  // one, so they never compete with the rows for the workers, and a filter the user
  // has already replaced (fast clicking, typing) never gets its side panels computed.
  const loadAll = () => {
    const { filter, generation } = get();
    const current = () => get().generation === generation;
    // Facets and histogram keep showing the previous answer until the new one lands: no
    // flicker, and a checkbox the user just ticked stays where it was.
    const keep = <T>(l: Load<T>): Load<T> => (l.state === 'ready' ? l : { state: 'loading' });
    set((s) => ({ count: { state: 'loading' }, histogram: keep(s.histogram), facets: keep(s.facets) }));
    const firstPage = fetchPage(0);
    const count = api['records.count']({ filter }).then(
      (value) => current() && set({ count: { state: 'ready', value } }),
      (e) => current() && set({ count: { state: 'error', message: errorMessage(e) } }),
    );
    void Promise.allSettled([firstPage, count])
      .then(afterPaint)
      .then(() => {
        if (!current()) return;
        void api['records.histogram']({ filter, buckets: 120 }).then(
          (value) => current() && set({ histogram: { state: 'ready', value } }),
          (e) => current() && set({ histogram: { state: 'error', message: errorMessage(e) } }),
        );
        void api['records.facets']({ filter, limit: 12 }).then(
          (value) => current() && set({ facets: { state: 'ready', value } }),
          (e) => current() && set({ facets: { state: 'error', message: errorMessage(e) } }),
        );
      });
  };

  /**
   * Resolves once the browser has painted the rows and count just set (next frame, then its
   * task); a hidden window gets no frames, so at the latest after 100 ms.
   */
  const afterPaint = () =>
    new Promise<void>((resolve) => {
      const late = setTimeout(resolve, 100);
      requestAnimationFrame(() => setTimeout(() => (clearTimeout(late), resolve()), 0));
    });

  /** Fetches one page of the current filter unless it is cached or on its way; settles when done. */
  const fetchPage = (page: number): Promise<void> => {
    const { filter, generation, pages } = get();
    const key = `${generation}:${page}`;
    if (pages.has(page)) return Promise.resolve();
    const running = inflight.get(key);
    if (running) return running;
    const request = api['records.query']({ filter, offset: page * PAGE_SIZE, limit: PAGE_SIZE, order: 'desc' })
      .then(
        (result) => {
          if (get().generation !== generation) return;
          const next = new Map(get().pages);
          next.set(page, result.rows);
          // Keep memory flat while scrolling a million rows: drop the pages farthest away.
          if (next.size > MAX_CACHED_PAGES) {
            const far = [...next.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
            for (const p of far.slice(0, next.size - MAX_CACHED_PAGES)) next.delete(p);
          }
          const seen = page * PAGE_SIZE + result.rows.length + (result.hasMore ? 1 : 0);
          set({ pages: next, provisionalCount: Math.max(get().provisionalCount, seen) });
        },
        (e) => {
          if (get().generation !== generation) return;
          const errors = new Map(get().pageErrors);
          errors.set(page, errorMessage(e));
          set({ pageErrors: errors });
        },
      )
      .finally(() => inflight.delete(key));
    inflight.set(key, request);
    return request;
  };

  return {
    filter: {},
    generation: 0,
    count: { state: 'idle' },
    provisionalCount: 0,
    pages: new Map(),
    pageErrors: new Map(),
    histogram: { state: 'idle' },
    facets: { state: 'idle' },
    selectedIndex: null,
    drawer: null,
    thread: null,

    setFilter: (next, force = false) => {
      const filter = cleanFilter(next);
      if (!force && filterKey(filter) === filterKey(get().filter) && get().generation > 0) return;
      set((s) => ({
        filter,
        generation: s.generation + 1,
        pages: new Map(),
        pageErrors: new Map(),
        provisionalCount: 0,
        selectedIndex: null,
      }));
      loadAll();
    },

    patchFilter: (patch) => get().setFilter({ ...get().filter, ...patch }),

    reload: () => {
      set((s) => ({ generation: s.generation + 1, pages: new Map(), pageErrors: new Map(), provisionalCount: 0 }));
      loadAll();
    },

    ensurePages: (first, last) => {
      for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) void fetchPage(page);
    },

    select: (index) => set({ selectedIndex: index }),

    openRecord: (rid) => {
      set({ drawer: { rid, detail: { state: 'loading' } } });
      void api['records.get']({ rid }).then(
        (value) => get().drawer?.rid === rid && set({ drawer: { rid, detail: { state: 'ready', value } } }),
        (e) => get().drawer?.rid === rid && set({ drawer: { rid, detail: { state: 'error', message: errorMessage(e) } } }),
      );
    },
    closeDrawer: () => set({ drawer: null, thread: null }),

    openThread: (tenant, sessionId) => {
      set({ thread: { tenant, sessionId, data: { state: 'loading' } } });
      void api['records.thread']({ tenant, sessionId }).then(
        (value) => {
          const t = get().thread;
          if (t && t.tenant === tenant && t.sessionId === sessionId) set({ thread: { tenant, sessionId, data: { state: 'ready', value } } });
        },
        (e) => {
          const t = get().thread;
          if (t && t.tenant === tenant && t.sessionId === sessionId) {
            set({ thread: { tenant, sessionId, data: { state: 'error', message: errorMessage(e) } } });
          }
        },
      );
    },
    closeThread: () => set({ thread: null }),
  };
});

export function rowAt(pages: Map<number, RecordSummary[]>, index: number): RecordSummary | undefined {
  return pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
}

export type { Load };

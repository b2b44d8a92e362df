import { create } from 'zustand';
import type { AnomalyContext, AnomalyList, Review, ReviewDecision } from '../../src-main/core/contract/anomalies.js';
import { api, errorMessage } from '../api/client.js';
import type { Load } from '../timeline/store.js';

export const DEFAULT_THRESHOLD = 0.7;

interface AnomaliesState {
  tenant: string | null;
  threshold: number;
  includeReviewed: boolean;
  list: Load<AnomalyList>;
  selected: { tenant: string; anomalyKey: string } | null;
  context: Load<AnomalyContext>;
  setTenant(tenant: string | null): void;
  setThreshold(t: number): void;
  setIncludeReviewed(v: boolean): void;
  load(): Promise<void>;
  select(tenant: string, anomalyKey: string): void;
  review(input: { decision: ReviewDecision; note: string; reviewer: string; meaning: string }): Promise<Review>;
}

let listRequest = 0;

export const useAnomalies = create<AnomaliesState>((set, get) => ({
  tenant: null,
  threshold: DEFAULT_THRESHOLD,
  includeReviewed: true,
  list: { state: 'idle' },
  selected: null,
  context: { state: 'idle' },
  setTenant: (tenant) => {
    set({ tenant });
    void get().load();
  },
  setThreshold: (threshold) => {
    set({ threshold });
    void get().load();
  },
  setIncludeReviewed: (includeReviewed) => {
    set({ includeReviewed });
    void get().load();
  },
  load: async () => {
    const id = ++listRequest;
    const { tenant, threshold, includeReviewed } = get();
    if (get().list.state !== 'ready') set({ list: { state: 'loading' } });
    try {
      const value = await api['anomalies.list']({ tenant: tenant ?? undefined, threshold, includeReviewed, limit: 500 });
      if (id === listRequest) set({ list: { state: 'ready', value } });
    } catch (e) {
      if (id === listRequest) set({ list: { state: 'error', message: errorMessage(e) } });
    }
  },
  select: (tenant, anomalyKey) => {
    set({ selected: { tenant, anomalyKey }, context: { state: 'loading' } });
    void api['anomalies.context']({ tenant, anomalyKey, window: 5 }).then(
      (value) => {
        const s = get().selected;
        if (s?.tenant === tenant && s.anomalyKey === anomalyKey) set({ context: { state: 'ready', value } });
      },
      (e) => {
        const s = get().selected;
        if (s?.tenant === tenant && s.anomalyKey === anomalyKey) set({ context: { state: 'error', message: errorMessage(e) } });
      },
    );
  },
  review: async (input) => {
    const selected = get().selected;
    if (!selected) throw new Error('select an anomaly first');
    const review = await api['anomalies.review']({ ...selected, ...input });
    await get().load();
    get().select(selected.tenant, selected.anomalyKey);
    return review;
  },
}));

import { create } from 'zustand';
import type { Finding } from '../../src-main/core/contract/anomalies.js';
import type { RecordSummary } from '../../src-main/core/contract/records.js';
import { api, errorMessage } from '../api/client.js';
import type { Load } from '../timeline/store.js';

interface FindingsState {
  tenant: string | null;
  list: Load<Finding[]>;
  /** sample rows of the findings the user opened, by finding key */
  samples: Record<string, Load<RecordSummary[]>>;
  load(tenant: string): Promise<void>;
  loadSamples(key: string, rids: number[]): Promise<void>;
}

let request = 0;

export function findingKey(f: Finding): string {
  return `${f.kind}|${f.title}`;
}

export const useFindings = create<FindingsState>((set, get) => ({
  tenant: null,
  list: { state: 'idle' },
  samples: {},
  load: async (tenant) => {
    const id = ++request;
    set({ tenant, list: { state: 'loading' }, samples: {} });
    try {
      const value = await api['anomalies.findings']({ tenant });
      if (id === request) set({ list: { state: 'ready', value } });
    } catch (e) {
      if (id === request) set({ list: { state: 'error', message: errorMessage(e) } });
    }
  },
  loadSamples: async (key, rids) => {
    if (get().samples[key]?.state === 'ready' || get().samples[key]?.state === 'loading') return;
    const id = request;
    set((s) => ({ samples: { ...s.samples, [key]: { state: 'loading' } } }));
    try {
      const rows = await Promise.all(rids.map(async (rid) => (await api['records.get']({ rid })).summary));
      if (id === request) set((s) => ({ samples: { ...s.samples, [key]: { state: 'ready', value: rows } } }));
    } catch (e) {
      if (id === request) set((s) => ({ samples: { ...s.samples, [key]: { state: 'error', message: errorMessage(e) } } }));
    }
  },
}));

import { create } from 'zustand';
import type { ConnectionView, MappingFields } from '../../src-main/core/contract/connections.js';
import type { SyncHistoryEntry } from '../../src-main/core/contract/sync.js';
import { api, errorMessage } from '../api/client.js';
import type { Load } from '../timeline/store.js';

interface ConnectionsState {
  list: Load<ConnectionView[]>;
  history: Load<SyncHistoryEntry[]>;
  syncJobId: string | null;
  /** A sync was asked for and its job id has not come back yet. */
  syncStarting: boolean;
  /** what the mapping editor offers; asked once */
  mappingFields: Load<MappingFields>;
  loadMappingFields(): Promise<void>;
  load(): Promise<void>;
  startSync(connectionId: string): Promise<void>;
  clearSync(): void;
}

export const useConnections = create<ConnectionsState>((set, get) => ({
  list: { state: 'idle' },
  history: { state: 'idle' },
  syncJobId: null,
  syncStarting: false,
  mappingFields: { state: 'idle' },
  loadMappingFields: async () => {
    if (get().mappingFields.state === 'ready' || get().mappingFields.state === 'loading') return;
    set({ mappingFields: { state: 'loading' } });
    try {
      set({ mappingFields: { state: 'ready', value: await api['connections.mappingFields']({}) } });
    } catch (e) {
      set({ mappingFields: { state: 'error', message: errorMessage(e) } });
    }
  },
  load: async () => {
    if (get().list.state !== 'ready') set({ list: { state: 'loading' } });
    const [list, history] = await Promise.allSettled([api['connections.list']({}), api['sync.history']({ limit: 20 })]);
    set({
      list: list.status === 'fulfilled' ? { state: 'ready', value: list.value } : { state: 'error', message: errorMessage(list.reason) },
      history: history.status === 'fulfilled' ? { state: 'ready', value: history.value } : { state: 'error', message: errorMessage(history.reason) },
    });
  },
  startSync: async (connectionId) => {
    // The last sync's outcome goes at the click: read while the new one starts, it would pass for the new one's.
    set({ syncJobId: null, syncStarting: true });
    try {
      const { jobId } = await api['sync.start']({ connectionId });
      set({ syncJobId: jobId });
    } finally {
      set({ syncStarting: false });
    }
  },
  clearSync: () => set({ syncJobId: null }),
}));

// The engagements the app knows and the one open, for the header and the switcher.
// Opening another engagement reloads the page: every screen's state belongs to the
// engagement it was loaded in, and a fresh start is the one way none of it survives.
import { create } from 'zustand';
import type { EngagementList, EngagementView } from '../../src-main/core/contract/engagements.js';
import { api, errorMessage } from '../api/client.js';

interface EngagementsState {
  list: EngagementList | null;
  error: string | null;
  load(): Promise<void>;
  /** Opens it and reloads the page; resolves with why it could not be opened, for the caller to show where it was asked, or null. */
  open(dir: string): Promise<string | null>;
}

export const useEngagements = create<EngagementsState>((set) => ({
  list: null,
  error: null,
  async load() {
    try {
      set({ list: await api['engagements.list']({}), error: null });
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  },
  async open(dir) {
    try {
      await api['engagements.open']({ dir });
      location.hash = '#/timeline';
      location.reload();
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  },
}));

export const openEngagementOf = (list: EngagementList | null): EngagementView | undefined => list?.engagements.find((e) => e.open);

import { useCallback, useEffect, useState } from 'react';
import { create } from 'zustand';
import { printable } from '../../src-main/core/util/printable.js';
import type { SavedFilter } from '../../src-main/core/contract/records.js';
import { api, errorMessage } from '../api/client.js';
import { isEmptyFilter, type Filter } from './filter-state.js';

interface SavedState {
  list: SavedFilter[] | null;
  error: string | null;
  load(): Promise<void>;
}

const useSaved = create<SavedState>((set) => ({
  list: null,
  error: null,
  load: async () => {
    try {
      set({ list: await api['filters.saved.list']({}), error: null });
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  },
}));

export function SavedFilters({ filter, onApply }: { filter: Filter; onApply(f: Filter): void }) {
  const { list, error, load } = useSaved();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  const save = useCallback(async () => {
    if (!name.trim()) return;
    setBusy(true);
    try {
      await api['filters.saved.save']({ name: name.trim(), filter });
      setMessage(`Saved "${printable(name.trim())}".`);
      setName('');
      await load();
    } catch (e) {
      setMessage(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }, [name, filter, load]);

  return (
    <div className="saved-filters">
      <label className="sr-only" htmlFor="saved-filter-pick">
        Saved filters
      </label>
      <select
        id="saved-filter-pick"
        aria-label="Saved filters"
        value=""
        disabled={!list || list.length === 0}
        onChange={(e) => {
          const f = list?.find((s) => s.name === e.target.value);
          if (f) onApply(f.filter);
        }}
      >
        <option value="">{error ? 'Saved filters unavailable' : list && list.length ? 'Saved filters…' : 'No saved filters'}</option>
        {list?.map((s) => (
          <option key={s.name} value={s.name}>
            {printable(s.name)}
          </option>
        ))}
      </select>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <input aria-label="Name for this filter" placeholder="Save as…" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={busy || !name.trim() || isEmptyFilter(filter)}>
          Save
        </button>
      </form>
      {list && list.length ? (
        <details className="saved-manage">
          <summary>Manage</summary>
          <ul>
            {list.map((s) => (
              <li key={s.name}>
                <span>{printable(s.name)}</span>
                <button
                  type="button"
                  className="link"
                  aria-label={`Delete saved filter ${printable(s.name)}`}
                  onClick={async () => {
                    try {
                      await api['filters.saved.delete']({ name: s.name });
                      await load();
                    } catch (err) {
                      setMessage(errorMessage(err));
                    }
                  }}
                >
                  delete
                </button>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {message ? (
        <span className="muted small" role="status">
          {message}
        </span>
      ) : null}
    </div>
  );
}

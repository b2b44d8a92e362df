// A profile's table mapping (docs/sync.md "Tables and mapping"): which source tables
// hold the audit data when they are not the demo names, and which columns play which
// role. Saved into the profile's `mapping`; the contract validates it, Test checks the
// tables exist at the source.
import type { ConnectionView, MappingFields, TableKindName } from '../../src-main/core/contract/connections.js';
import type { Load } from '../timeline/store.js';

export const KINDS: readonly TableKindName[] = ['events', 'conversations', 'anomalies', 'access'];

const KIND_LABEL: Record<TableKindName, string> = {
  events: 'Events table',
  conversations: 'Conversations table',
  anomalies: 'Anomalies table',
  access: 'Access log table',
};

export interface Rename {
  kind: TableKindName;
  column: string;
  field: string;
}

export interface MappingForm {
  tables: Record<TableKindName, string>;
  renames: Rename[];
}

export const EMPTY_MAPPING: MappingForm = { tables: { events: '', conversations: '', anomalies: '', access: '' }, renames: [] };

export function mappingForm(mapping: ConnectionView['mapping']): MappingForm {
  const tables = { ...EMPTY_MAPPING.tables };
  for (const k of KINDS) tables[k] = mapping?.[k] ?? '';
  const renames: Rename[] = [];
  for (const k of KINDS) for (const [column, field] of Object.entries(mapping?.columns?.[k] ?? {})) renames.push({ kind: k, column, field });
  return { tables, renames };
}

/** The profile's `mapping`, or undefined when nothing is mapped; a half-filled rename is an error the user sees. */
export function mappingOf(form: MappingForm): { mapping?: NonNullable<ConnectionView['mapping']>; error?: string } {
  const mapping: NonNullable<ConnectionView['mapping']> = {};
  for (const k of KINDS) {
    const name = form.tables[k].trim();
    if (name) mapping[k] = name;
  }
  const columns: Record<string, Record<string, string>> = {};
  for (const [i, r] of form.renames.entries()) {
    const column = r.column.trim();
    if (!column && !r.field) continue;
    if (!column) return { error: `Column rename ${i + 1}: name the source column (or remove the rename).` };
    if (!r.field) return { error: `Column rename ${i + 1}: pick the AuditDesk field that ${column} holds.` };
    (columns[r.kind] ??= {})[column] = r.field;
  }
  if (Object.keys(columns).length) mapping.columns = columns;
  return Object.keys(mapping).length ? { mapping } : {};
}

export function MappingEditor({ value, onChange, fields }: { value: MappingForm; onChange(next: MappingForm): void; fields: Load<MappingFields> }) {
  const defaults = fields.state === 'ready' ? fields.value.defaultTables : null;
  const setTable = (k: TableKindName, v: string) => onChange({ ...value, tables: { ...value.tables, [k]: v } });
  const setRename = (i: number, r: Partial<Rename>) => onChange({ ...value, renames: value.renames.map((x, j) => (j === i ? { ...x, ...r } : x)) });
  return (
    <fieldset className="mapping-editor" aria-describedby="mapping-help">
      <legend>Table mapping</legend>
      <p id="mapping-help" className="muted small">
        Only for sources whose tables or columns have other names than the demo's. Empty fields use the default name; a table may be written schema.table. Test checks that every mapped table exists.
      </p>
      <div className="form-grid">
        {KINDS.map((k) => (
          <label key={k}>
            {KIND_LABEL[k]}
            <input value={value.tables[k]} placeholder={defaults ? defaults[k] : ''} spellCheck={false} onChange={(e) => setTable(k, e.target.value)} />
          </label>
        ))}
      </div>
      <table className="data-table rename-table" aria-label="Column renames">
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col">Source column</th>
            <th scope="col">Holds the AuditDesk field</th>
            <th scope="col">
              <span className="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {value.renames.length === 0 ? (
            <tr>
              <td colSpan={4} className="muted small">
                No column renames: columns are matched by their names (id, seq, created_at, …); unknown columns are kept as extra fields.
              </td>
            </tr>
          ) : null}
          {value.renames.map((r, i) => {
            const options = fields.state === 'ready' ? fields.value.fields[r.kind] : [];
            return (
              <tr key={i} data-rename={i}>
                <td>
                  <select aria-label={`Table of column rename ${i + 1}`} value={r.kind} onChange={(e) => setRename(i, { kind: e.target.value as TableKindName, field: '' })}>
                    {KINDS.map((k) => (
                      <option key={k} value={k}>
                        {k}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input aria-label={`Source column of column rename ${i + 1}`} value={r.column} spellCheck={false} onChange={(e) => setRename(i, { column: e.target.value })} />
                </td>
                <td>
                  <select aria-label={`AuditDesk field of column rename ${i + 1}`} value={r.field} onChange={(e) => setRename(i, { field: e.target.value })}>
                    <option value="">— pick —</option>
                    {options.map((f) => (
                      <option key={f} value={f}>
                        {f}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" aria-label={`Remove column rename ${i + 1}`} onClick={() => onChange({ ...value, renames: value.renames.filter((_, j) => j !== i) })}>
                    ✕
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div>
        <button type="button" onClick={() => onChange({ ...value, renames: [...value.renames, { kind: 'events', column: '', field: '' }] })}>
          Add column rename
        </button>
      </div>
    </fieldset>
  );
}

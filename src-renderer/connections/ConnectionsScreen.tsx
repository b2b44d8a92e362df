import { useEffect, useState } from 'react';
import type { ConnectionTestResult, ConnectionView } from '../../src-main/core/contract/connections.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';
import { printable } from '../../src-main/core/util/printable.js';
import { api, errorMessage } from '../api/client.js';
import { useApp } from '../app/store.js';
import { countOf, formatCount, formatTs } from '../app/format.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { JobProgressView } from '../app/JobProgress.js';
import { useJob } from '../app/use-job.js';
import { useConnections } from './store.js';
import { EMPTY_MAPPING, KINDS, MappingEditor, mappingForm, mappingOf, type MappingForm } from './MappingEditor.js';

type SslMode = ConnectionView['sslmode'];

interface FormState {
  id: string | null;
  name: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  sslmode: SslMode;
  tenants: string;
  schema: string;
  mapping: MappingForm;
  /** the saved profile being edited: fields this form does not show (demo flag, CA file) are kept */
  base: ConnectionView | null;
}

const EMPTY_FORM: FormState = {
  id: null,
  name: '',
  host: '127.0.0.1',
  port: '5432',
  database: '',
  user: '',
  password: '',
  sslmode: 'verify-full',
  tenants: '',
  schema: 'public',
  mapping: EMPTY_MAPPING,
  base: null,
};

function mappingSummary(m: NonNullable<ConnectionView['mapping']>): string {
  const tables = KINDS.filter((k) => m[k]).map((k) => `${k} → ${m[k]}`);
  const renames = KINDS.flatMap((k) => Object.entries(m.columns?.[k] ?? {}).map(([from, to]) => `${k}.${from} as ${to}`));
  return [...tables, ...renames].join(', ') || 'none';
}

function formOf(c: ConnectionView): FormState {
  return {
    id: c.id,
    name: c.name,
    host: c.host,
    port: String(c.port),
    database: c.database,
    user: c.user,
    password: '',
    sslmode: c.sslmode,
    tenants: c.tenants.join(', '),
    schema: c.schema,
    mapping: mappingForm(c.mapping),
    base: c,
  };
}

function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return s || `conn-${Date.now()}`;
}

function TestResult({ result }: { result: ConnectionTestResult }) {
  return (
    <div className={`test-result ${result.ok ? 'ok' : 'bad'}`} role={result.ok ? 'status' : 'alert'} data-testid="connection-test-result">
      {result.ok ? (
        <>
          <strong>Connected</strong> to {printable(`${result.label} (${result.serverVersion ?? ''})`)}.{' '}
          {result.readOnly ? <span className="ok-text">Session is read-only.</span> : <span className="warn">Session is NOT read-only.</span>}
          <div className="small">
            Tables:{' '}
            {printable(
              Object.entries(result.tables)
                .map(([k, v]) => `${k} → ${v}`)
                .join(', ') || 'none found',
            )}{' '}
            · Tenants: {printable(result.tenants.join(', ') || '—')}
          </div>
        </>
      ) : result.connected ? (
        <>
          <strong>Connected to {printable(result.label)}, but the tables do not match.</strong> {printable(result.error ?? '')}
        </>
      ) : (
        <>
          <strong>Could not connect.</strong> {printable(result.error ?? '')}
        </>
      )}
      {result.notices.map((n) => (
        <div key={n} className="small muted" data-testid="connection-notice">
          {printable(n)}
        </div>
      ))}
      {result.privilegeWarnings.length ? (
        <ul className="warn-list" aria-label="Privilege warnings">
          {result.privilegeWarnings.map((w) => (
            <li key={w}>⚠ {printable(w)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ProfileForm({ initial, onDone }: { initial: FormState; onDone(): void }) {
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [test, setTest] = useState<ConnectionTestResult | null>(null);
  useEffect(() => setForm(initial), [initial]);
  const mappingFields = useConnections((s) => s.mappingFields);
  const loadMappingFields = useConnections((s) => s.loadMappingFields);
  useEffect(() => void loadMappingFields(), [loadMappingFields]);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));
  /** The profile to save or test; throws the one-line reason when the mapping is half filled. */
  const profile = () => {
    const { mapping, error } = mappingOf(form.mapping);
    if (error) throw new Error(error);
    return {
      id: form.id ?? slug(form.name),
      name: form.name.trim(),
      host: form.host.trim(),
      port: Number(form.port),
      database: form.database.trim(),
      user: form.user.trim(),
      sslmode: form.sslmode,
      ...(form.base?.sslRootCert ? { sslRootCert: form.base.sslRootCert } : {}),
      ...(form.base?.allowCleartextPassword ? { allowCleartextPassword: true } : {}),
      tenants: form.tenants.split(/[,\s]+/).filter(Boolean),
      schema: form.schema.trim() || 'public',
      ...(mapping ? { mapping } : {}),
      ...(form.base?.isDemo ? { isDemo: true } : {}),
    };
  };
  return (
    <form
      className="profile-form"
      aria-label={form.id ? 'Edit connection' : 'Add connection'}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setMessage(null);
        try {
          await api['connections.save']({ profile: profile(), password: form.password ? form.password : undefined, makeActive: true });
          setMessage('Saved.');
          onDone();
        } catch (err) {
          setMessage(errorMessage(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>{form.id ? `Edit ${printable(initial.name)}` : 'Add a connection'}</h2>
      <div className="form-grid">
        <label>
          Name
          <input required value={form.name} onChange={(e) => set('name', e.target.value)} />
        </label>
        <label>
          Host
          <input required value={form.host} onChange={(e) => set('host', e.target.value)} />
        </label>
        <label>
          Port
          <input required inputMode="numeric" value={form.port} onChange={(e) => set('port', e.target.value)} />
        </label>
        <label>
          Database
          <input required value={form.database} onChange={(e) => set('database', e.target.value)} />
        </label>
        <label>
          User (read-only role)
          <input required value={form.user} autoComplete="off" onChange={(e) => set('user', e.target.value)} />
        </label>
        <label>
          Password
          <input
            type="password"
            value={form.password}
            autoComplete="new-password"
            placeholder={form.id ? '(unchanged)' : ''}
            aria-describedby="password-store-hint"
            onChange={(e) => set('password', e.target.value)}
          />
          <PasswordStoreHint />
        </label>
        <label>
          TLS
          <select value={form.sslmode} onChange={(e) => set('sslmode', e.target.value as SslMode)}>
            <option value="verify-full">verify-full (recommended)</option>
            <option value="verify-ca">verify-ca</option>
            <option value="require">require</option>
            <option value="disable">disable (local only)</option>
          </select>
        </label>
        <label>
          Schema
          <input value={form.schema} onChange={(e) => set('schema', e.target.value)} />
        </label>
        <label className="span2">
          Tenants (comma-separated; empty = all visible)
          <input value={form.tenants} onChange={(e) => set('tenants', e.target.value)} />
        </label>
      </div>
      <MappingEditor value={form.mapping} fields={mappingFields} onChange={(m) => set('mapping', m)} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setTest(null);
            setMessage(null);
            try {
              setTest(await api['connections.test']({ profile: profile(), password: form.password || undefined }));
            } catch (err) {
              setMessage(errorMessage(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          Test
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {message ? <p role="status">{printable(message)}</p> : null}
      {test ? <TestResult result={test} /> : null}
    </form>
  );
}

function SyncPanel() {
  const syncJobId = useConnections((s) => s.syncJobId);
  const syncStarting = useConnections((s) => s.syncStarting);
  const load = useConnections((s) => s.load);
  const refreshStatus = useApp((s) => s.refreshStatus);
  const { job, error } = useJob(syncJobId);
  const jobState = job?.state;
  useEffect(() => {
    if (jobState && jobState !== 'running') {
      void load();
      void refreshStatus(false);
    }
  }, [jobState, load, refreshStatus]);
  if (!syncJobId) return syncStarting ? <Loading label="Starting the sync…" /> : null;
  if (error) return <ErrorState message={error} />;
  if (!job) return <Loading label="Starting the sync…" />;
  const result = job.state === 'done' ? (job.result as SyncResult | null) : null;
  return (
    <section aria-label="Sync" className="card">
      <JobProgressView job={job} label="Sync" onCancel={() => void api['sync.cancel']({ jobId: job.jobId })} />
      {result ? (
        <p role="status" data-testid="sync-done">
          Synced {countOf(result.rowsFetched, 'row')} from {printable(result.source)} in {result.seconds.toFixed(1)} s ({formatCount(result.rowsPerSecond)} rows/s); {formatCount(result.rowsChanged)}{' '}
          changed and {formatCount(result.rowsDeleted)} deleted at the source since the last sync. <a href="#/timeline">Open the timeline</a>
        </p>
      ) : null}
    </section>
  );
}

export function ConnectionsScreen() {
  const { list, history, load, startSync } = useConnections();
  const source = useApp((s) => s.status?.source ?? null);
  const tz = useApp((s) => s.timeZone);
  const secretsStore = useApp((s) => s.status?.secrets.store);
  const [editing, setEditing] = useState<FormState | null>(null);
  const [tests, setTests] = useState<Record<string, ConnectionTestResult | string>>({});
  const [actionError, setActionError] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (f: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await f();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  };

  return (
    <div className="split">
      <section className="split-left" aria-label="Connections">
        <div className="toolbar">
          <h2>Sources</h2>
          <button type="button" onClick={() => setEditing({ ...EMPTY_FORM })}>
            Add connection
          </button>
        </div>
        {actionError ? (
          <p role="alert" className="error-text">
            {printable(actionError)}
          </p>
        ) : null}
        {list.state === 'error' ? (
          <ErrorState message={list.message} onRetry={() => void load()} />
        ) : list.state !== 'ready' ? (
          <Loading />
        ) : list.value.length === 0 ? (
          <Empty title="No connection yet.">Add a read-only PostgreSQL connection, or restart the app to bring up the demo tenant.</Empty>
        ) : (
          <ul className="connection-list">
            {list.value.map((c) => {
              const t = tests[c.id];
              const live = source && source.connectionId === c.id ? source : null;
              return (
                <li key={c.id} className={`card${c.active ? ' active' : ''}`} data-connection={c.id}>
                  <div className="card-head">
                    <strong>{printable(c.name)}</strong> {c.isDemo ? <span className="pill">demo</span> : null} {c.active ? <span className="pill pill-ok">active</span> : null}
                  </div>
                  <div className="muted small">
                    {printable(`${c.user}@${c.label}`)} · TLS {c.sslmode} · {passwordWords(c.hasPassword, secretsStore)}
                  </div>
                  {c.mapping ? (
                    <div className="small" data-testid="connection-mapping">
                      Mapping: {printable(mappingSummary(c.mapping))}
                    </div>
                  ) : null}
                  {live ? (
                    <div className="small">
                      {live.reachable ? <span className="ok-text">reachable</span> : <span className="error-text">unreachable{live.error ? `: ${printable(live.error)}` : ''}</span>}
                      {live.readOnly === true ? ' · read-only' : live.readOnly === false ? <span className="warn"> · NOT read-only</span> : ''}
                      {live.tenants.length ? ` · tenants ${printable(live.tenants.map((x) => x.tenant).join(', '))}` : ''}
                      {live.privilegeWarnings.map((w) => (
                        <div key={w} className="warn">
                          ⚠ {printable(w)}
                        </div>
                      ))}
                    </div>
                  ) : null}
                  <div className="card-actions">
                    <button type="button" className="primary" onClick={() => void run(() => startSync(c.id))}>
                      Sync now
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        void run(async () => {
                          setTests((x) => ({ ...x, [c.id]: 'Testing…' }));
                          const r = await api['connections.test']({ id: c.id });
                          setTests((x) => ({ ...x, [c.id]: r }));
                        })
                      }
                    >
                      Test
                    </button>
                    {!c.active ? (
                      <button type="button" onClick={() => void run(async () => (await api['connections.setActive']({ id: c.id }), load()))}>
                        Make active
                      </button>
                    ) : null}
                    <button type="button" onClick={() => setEditing(formOf(c))}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => {
                        if (confirm(`Delete the connection "${printable(c.name)}"? Its cached data stays.`)) void run(async () => (await api['connections.delete']({ id: c.id }), load()));
                      }}
                    >
                      Delete
                    </button>
                  </div>
                  {typeof t === 'string' ? <p className="muted">{t}</p> : t ? <TestResult result={t} /> : null}
                </li>
              );
            })}
          </ul>
        )}
        <SyncPanel />
      </section>
      <section className="split-right" aria-label="Sync history">
        {editing ? (
          <ProfileForm
            initial={editing}
            onDone={() => {
              setEditing(null);
              void load();
            }}
          />
        ) : (
          <>
            <h2>Last syncs and seals</h2>
            {history.state === 'error' ? (
              <ErrorState message={history.message} />
            ) : history.state !== 'ready' ? (
              <Loading />
            ) : history.value.length === 0 ? (
              <Empty title="Nothing synced yet.">Press “Sync now” on a connection to copy its audit trail into the local cache.</Empty>
            ) : (
              <table className="data-table">
                <caption className="sr-only">Sync history with the seal of each tenant and table</caption>
                <thead>
                  <tr>
                    <th scope="col">Sync</th>
                    <th scope="col">Finished ({tz === 'utc' ? 'UTC' : 'local'})</th>
                    <th scope="col">Status</th>
                    <th scope="col">Rows</th>
                    <th scope="col">Seals (tenant · table · rows · head)</th>
                  </tr>
                </thead>
                <tbody>
                  {history.value.map((h) => (
                    <tr key={h.syncId}>
                      <td>
                        #{h.syncId}
                        <div className="muted small">{printable(h.source)}</div>
                      </td>
                      <td>{formatTs(h.finishedAt ?? h.startedAt, tz)}</td>
                      <td>
                        {h.status}
                        {h.message ? <div className="muted small">{printable(h.message)}</div> : null}
                      </td>
                      <td>
                        {formatCount(h.rowsFetched)} fetched
                        <div className="muted small">{formatCount(h.rowsChanged)} changed</div>
                      </td>
                      <td className="small">
                        {h.seals.map((s) => (
                          <div key={`${s.tenant}/${s.table}`}>
                            {printable(s.tenant)} · {s.tableKind} · {formatCount(s.rowCount)}
                            {s.headSeq ? ` · seq ${s.headSeq}` : ''} <span className="mono muted">{s.merkleRoot.slice(0, 12)}…</span>
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </section>
    </div>
  );
}

/** Where this connection's password is, in the hint's words: "stored" only where it outlives the process. */
function passwordWords(hasPassword: boolean, store: 'keychain' | 'memory' | undefined): string {
  if (store === 'memory') return hasPassword ? 'password held in memory until AuditDesk closes' : 'no password held';
  return hasPassword ? 'password kept encrypted by the OS keychain' : 'no password stored';
}

/** Says where a typed password goes, so nobody expects it back after a restart when it cannot be kept. */
function PasswordStoreHint() {
  const secrets = useApp((s) => s.status?.secrets ?? null);
  if (!secrets) return null;
  const text =
    secrets.store === 'keychain'
      ? 'Kept encrypted by the OS keychain; never written to logs, the cache or exports.'
      : (secrets.note ?? 'Kept in memory until AuditDesk closes (then asked again); never written to disk.');
  return (
    <small id="password-store-hint" className="muted small" data-testid="password-store-hint">
      {text}
    </small>
  );
}

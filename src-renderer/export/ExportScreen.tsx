// Export flow: tenant, period and filters → preview of counts → signing identity →
// progress → the finished package, verified again by the package verifier.
import { useEffect, useState } from 'react';
import type { ExportJobResult, ExportPreview, IdentityView, PackageVerificationView } from '../../src-main/core/contract/export.js';
import { api, errorMessage } from '../api/client.js';
import { selectCacheTenants, useApp } from '../app/store.js';
import { IsoDateInput } from '../app/IsoDateInput.js';
import { againstLabel, useChainVerdicts } from '../app/chain-verdicts.js';
import { countOf } from '../app/format.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { SubjectFields, subjectOf, type SubjectInput } from './SubjectFields.js';
import { PreviousPackageField, usePreviousPackage } from './PreviousPackageField.js';
import { JobProgressView } from '../app/JobProgress.js';
import { useJob } from '../app/use-job.js';
import { useSuggestedValue } from '../app/use-suggested-value.js';
import { useTimeline } from '../timeline/store.js';
import { cleanFilter, filterToParams, isEmptyFilter, type Filter } from '../filters/filter-state.js';
import { SourceName } from '../engagements/SourceName.js';
import { fallbackPackagePath } from '../app/file-names.js';
import { printable } from '../../src-main/core/util/printable.js';
import { tenantChoiceLabel, useCachedTenantLookAlikes } from '../app/LookAlike.js';

/** The native save dialog where the front door has one (Electron); elsewhere the path field above is the way. */
function ChooseSavePath({ defaultPath, onChosen }: { defaultPath: string; onChosen(path: string): void }) {
  const frontDoor = useApp((s) => s.status?.frontDoor);
  if (frontDoor !== 'electron') return null;
  return (
    <button type="button" onClick={() => void api['files.chooseSavePath']({ title: 'Save the compliance package', defaultPath, extensions: ['zip'] }).then((r) => r.path && onChosen(r.path))}>
      Choose…
    </button>
  );
}

/** The period as the filter applies it: from the start of the From day to the start of the To day, UTC. */
function periodWords(from: string, to: string): string {
  if (from && to) return `from ${from} 00:00 to ${to} 00:00 UTC`;
  return from ? `from ${from} 00:00 UTC on` : `before ${to} 00:00 UTC`;
}

/** A package received from elsewhere: the native open dialog in Electron, a path field everywhere. */
function VerifyPackageFile() {
  const frontDoor = useApp((s) => s.status?.frontDoor);
  const [path, setPath] = useState('');
  const [checking, setChecking] = useState<string | null>(null);
  return (
    <fieldset className="export-step">
      <legend>Verify a package file</legend>
      <input aria-label="Package to verify" value={path} onChange={(e) => setPath(e.target.value)} size={70} placeholder="/path/to/package.zip" />{' '}
      {frontDoor === 'electron' ? (
        <button
          type="button"
          onClick={() =>
            void api['files.chooseOpenPath']({ title: 'Open a compliance package', extensions: ['zip'] }).then((r) => {
              if (!r.path) return;
              setPath(r.path);
              setChecking(r.path);
            })
          }
        >
          Choose…
        </button>
      ) : null}{' '}
      <button type="button" disabled={!path} onClick={() => setChecking(path)}>
        Verify
      </button>
      {checking ? <Verification key={checking} path={checking} /> : null}
    </fieldset>
  );
}

function IdentityPicker({ value, onChange }: { value: string | null; onChange(fp: string | null): void }) {
  const [list, setList] = useState<IdentityView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState({ name: '', org: '', email: '', password: '' });
  const load = async () => {
    try {
      const ids = await api['identity.list']({});
      setList(ids);
      if (!value && ids[0]) onChange(ids[0].fingerprint);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    void load();
    // Loaded once on mount; creating an identity reloads explicitly.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (error) return <ErrorState message={error} />;
  if (!list) return <Loading label="Loading signing identities…" />;
  return (
    <fieldset className="export-step">
      <legend>3. Signing identity</legend>
      {list.length ? (
        <select aria-label="Signing identity" value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
          {list.map((i) => (
            <option key={i.fingerprint} value={i.fingerprint}>
              {printable(`${i.name} (${i.org}, ${i.email})`)} · {i.fingerprint.slice(0, 12)}…{i.passwordStored ? '' : ' · password needed'}
            </option>
          ))}
        </select>
      ) : (
        <p className="muted">No signing identity yet: create one (a self-signed certificate kept in the app's data folder).</p>
      )}
      <button type="button" className="link" onClick={() => setCreating(!creating)}>
        {creating ? 'Cancel' : 'Create a new identity'}
      </button>
      {creating ? (
        <form
          className="form-grid"
          aria-label="Create identity"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const id = await api['identity.create']({ ...form, remember: true });
              setCreating(false);
              await load();
              onChange(id.fingerprint);
            } catch (err) {
              setError(errorMessage(err));
            }
          }}
        >
          {(['name', 'org', 'email', 'password'] as const).map((k) => (
            <label key={k}>
              {k === 'org' ? 'Organisation' : k[0]!.toUpperCase() + k.slice(1)}
              <input required type={k === 'password' ? 'password' : 'text'} value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
            </label>
          ))}
          <button type="submit" className="primary">
            Create
          </button>
        </form>
      ) : null}
    </fieldset>
  );
}

function Verification({ path }: { path: string }) {
  const [v, setV] = useState<PackageVerificationView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api['export.verifyPackage']({ path }).then(setV, (e) => setError(errorMessage(e)));
  }, [path]);
  if (error) return <ErrorState message={error} />;
  if (!v) return <Loading label="Verifying the package…" />;
  const authenticity = authenticityLine(v);
  const data = dataIntegrityLine(v);
  // Two questions, answered apart (issue 14/16): a package can be authentic and hold a
  // broken chain; each line has its own colour, and a broken chain is never green.
  return (
    <div role="status" data-testid="package-verification" data-verdict={v.verdict}>
      <div className={`test-result ${authenticity.state}`} data-testid="package-authenticity" data-state={authenticity.state}>
        <strong>{authenticity.text}</strong>{' '}
        {v.signer ? printable(`Signed by ${v.signer.name} (${v.signer.org}), key ${v.signer.fingerprint}${v.signer.pinnedBy ? `, pinned: ${v.signer.pinnedBy}` : ''}.`) : ''}
        {v.failures.length ? (
          <ul className="warn-list">
            {v.failures.map((f, i) => (
              <li key={i}>{printable(`${f.code}: ${f.message}`)}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <div className={`test-result ${data.state}`} data-testid="package-data-integrity" data-state={data.state}>
        <strong>{printable(data.text)}</strong>
      </div>
    </div>
  );
}

type LineState = 'ok' | 'warn' | 'bad';

/** Who made the package: green only when every check passed and the signer is pinned. */
function authenticityLine(v: PackageVerificationView): { state: LineState; text: string } {
  if (v.verdict === 'valid') return { state: 'ok', text: 'Package authentic: signature valid, and its signer is pinned.' };
  if (v.verdict === 'unpinned') return { state: 'warn', text: 'Package authentic: signature valid, but the signer is not pinned; anyone can make such a package.' };
  return { state: 'bad', text: 'Package NOT authentic: it does not verify.' };
}

/** What the data says: green only for an intact chain inside a package that verifies. */
function dataIntegrityLine(v: PackageVerificationView): { state: LineState; text: string } {
  if (v.verdict === 'invalid') return { state: 'bad', text: 'Data integrity: not established, because the package failed its checks.' };
  if (!v.chain) return { state: 'warn', text: 'Data integrity: not shown; this package holds no hash chain to re-verify.' };
  const c = v.chain;
  // A row changed at the source after it was cached is a finding even when the chain links up (issue 19): never green.
  const drift = v.drift?.findings
    ? `; but ${countOf(v.drift.findings, 'row')} changed at the source after ${v.drift.findings === 1 ? 'it was' : 'they were'} first cached (both versions in changes.csv)`
    : '';
  if (v.chainMethod === 'subset' && c.intact && !drift) {
    // Each row proven, not the chain between them: not the green "intact".
    return {
      state: 'warn',
      text: `Data integrity: each of ${countOf(c.rows, 'row')} re-verified (${c.tenant}/${c.table}); a subset, so the chain's continuity is not shown${v.subject ? ` (data subject ${v.subject.userId})` : ''}.`,
    };
  }
  if (c.intact && drift) return { state: 'bad', text: `Data integrity: hash chain links up (${countOf(c.rows, 'row')}, ${c.tenant}/${c.table})${drift}.` };
  if (c.intact) return { state: 'ok', text: `Data integrity: intact, ${countOf(c.rows, 'row')}; the hash chain re-verified from the package's CSV (${c.tenant}/${c.table}).` };
  return {
    state: 'bad',
    text: `Data integrity: BROKEN, ${countOf(c.breaks.length + c.breaksOmitted, 'break')} in the hash chain of ${c.tenant}/${c.table} (as found at the source; listed in the report)${drift}.`,
  };
}

export function ExportScreen() {
  const tenants = useApp(selectCacheTenants);
  const tenantTwins = useCachedTenantLookAlikes();
  const cachePath = useApp((s) => s.status?.cache.path);
  const timelineFilter = useTimeline((s) => s.filter);
  const verdicts = useChainVerdicts((s) => s.byTenant);
  const [tenant, setTenant] = useState('');
  const tenantVerdict = verdicts[tenant];
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // A period field whose text does not parse still holds its last date: nothing is counted or
  // signed until the field says what will be exported.
  const [fromParses, setFromParses] = useState(true);
  const [toParses, setToParses] = useState(true);
  const periodUnparsed = !fromParses || !toParses;
  const [useTimelineFilters, setUseTimelineFilters] = useState(false);
  const [subjectInput, setSubjectInput] = useState<SubjectInput>({ userId: '', sessions: '' });
  const subject = subjectOf(subjectInput);
  // What the running or finished export was started with (the fields may change after).
  const [startedSubject, setStartedSubject] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ state: 'idle' } | { state: 'loading' } | { state: 'ready'; value: ExportPreview } | { state: 'error'; message: string }>({ state: 'idle' });
  const [identity, setIdentity] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  // The open engagement's exports/ folder and a readable name; a single-cache session keeps the old default.
  const [out, setOut] = useSuggestedValue(
    tenant ? `${cachePath ?? ''}\u0000${tenant}` : null,
    () =>
      api['engagements.defaultExportPath']({ tenant }).then(
        (r) => r.path,
        () => fallbackPackagePath(cachePath, tenant),
      ),
    { clearOnChange: false },
  );
  const [previous, setPrevious] = usePreviousPackage(tenant);
  const [jobId, setJobId] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const { job } = useJob(jobId);

  useEffect(() => {
    if (!tenant && tenants[0]) setTenant(tenants[0].tenant);
  }, [tenants, tenant]);

  const filter: Filter = cleanFilter({
    // A subject export chooses its rows by the subject: the timeline's facets do not apply.
    ...(useTimelineFilters && !subject ? timelineFilter : {}),
    tenant: tenant ? [tenant] : [],
    from: from || undefined,
    to: to || undefined,
  });

  const filterKey = filterToParams(filter).toString();
  const subjectKey = JSON.stringify(subject ?? null);
  useEffect(() => {
    if (!tenant) return;
    setPreview({ state: 'loading' });
    const t = setTimeout(() => {
      api['export.preview']({ filter, ...(subject ? { subject } : {}) }).then(
        (value) => setPreview({ state: 'ready', value }),
        (e) => setPreview({ state: 'error', message: errorMessage(e) }),
      );
    }, 200);
    return () => clearTimeout(t);
    // filter and subject are new objects on every render: what they say, serialised, is the dependency (the tenant is in the filter).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, subjectKey]);

  // Only a whole-chain export can be compared with an earlier package (writePackage refuses the others).
  const previousApplies = !subject && preview.state === 'ready' && preview.value.wholeChain;

  if (!tenants.length) {
    return (
      <div className="screen-pad">
        <h2>Export</h2>
        <Empty title="Nothing to export yet.">Sync a tenant from Connections first.</Empty>
      </div>
    );
  }
  const result = job?.state === 'done' ? (job.result as ExportJobResult | null) : null;
  return (
    <div className="screen-pad export">
      <h2>Export a compliance package</h2>
      <fieldset className="export-step">
        <legend>1. What</legend>
        <label>
          Tenant{' '}
          <select aria-label="Tenant to export" value={tenant} onChange={(e) => setTenant(e.target.value)}>
            {tenants.map((t) => (
              <option key={t.tenant} value={t.tenant}>
                {tenantChoiceLabel(t.tenant, tenantTwins.get(t.tenant))}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          From (UTC day, inclusive) <IsoDateInput label="Period from" value={from} onChange={setFrom} onValidity={setFromParses} />
        </label>{' '}
        <label>
          To (UTC day, exclusive) <IsoDateInput label="Period to" value={to} onChange={setTo} onValidity={setToParses} />
        </label>{' '}
        <label>
          <input type="checkbox" checked={useTimelineFilters} disabled={isEmptyFilter(timelineFilter)} onChange={(e) => setUseTimelineFilters(e.target.checked)} /> Also apply the timeline's current
          filters
        </label>
        <SubjectFields value={subjectInput} onChange={setSubjectInput} />
      </fieldset>
      <fieldset className="export-step">
        <legend>2. Preview</legend>
        {periodUnparsed ? (
          <p className="error-text" data-testid="export-period-unparsed">
            Nothing counted: the period is not a date. Write it as YYYY-MM-DD (UTC) or leave it empty.
          </p>
        ) : preview.state === 'ready' ? (
          <p data-testid="export-preview">
            {countOf(preview.value.events, 'system event')}, {countOf(preview.value.conversations, 'conversation')}, {countOf(preview.value.anomalies, 'anomaly', 'anomalies')},{' '}
            {countOf(preview.value.reviews, 'review')}, {countOf(preview.value.accessLog, 'access-log row')}.{' '}
            {subject
              ? `Data subject ${printable(subject.userId)}: each of their rows is re-verified; the chain's continuity is not shown by a subject package.`
              : preview.value.wholeChain
                ? from || to
                  ? `Every row of the hash chain ${periodWords(from, to)} is included; a missing row there is a break.`
                  : 'The whole hash chain is included.'
                : 'A filtered slice: the chain is checked within the slice.'}
            {tenantVerdict?.breaks ? (
              <strong className="error-text" data-testid="export-preview-broken">
                {' '}
                This tenant's chain has {countOf(tenantVerdict.breaks, 'break')} (verified against {againstLabel(tenantVerdict.against)}
                {tenantVerdict.notCheckedHere ? `; ${printable(tenantVerdict.notCheckedHere.words)}, not checked here` : ''}); they will be listed in the report.
              </strong>
            ) : null}{' '}
            {preview.value.driftFindings
              ? `${countOf(preview.value.driftFindings, 'row')} of the selection changed at the source after ${preview.value.driftFindings === 1 ? 'it was' : 'they were'} first cached; the package lists both versions in changes.csv.`
              : 'No row of the selection changed at the source after it was first cached.'}
          </p>
        ) : preview.state === 'error' ? (
          <ErrorState message={preview.message} />
        ) : (
          <Loading label="Counting…" />
        )}
      </fieldset>
      <IdentityPicker value={identity} onChange={setIdentity} />
      <fieldset className="export-step">
        <legend>4. Where</legend>
        <label className="stack">
          Package file
          <input aria-label="Package file" value={out} onChange={(e) => setOut(e.target.value)} size={70} />
        </label>
        <ChooseSavePath defaultPath={out} onChosen={setOut} />
        <PreviousPackageField value={previous} onChange={setPrevious} applies={previousApplies} />
        <label className="stack">
          Identity password (only if not stored)
          <input type="password" aria-label="Identity password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button
          type="button"
          className="primary"
          disabled={!identity || !tenant || !out || periodUnparsed || job?.state === 'running'}
          onClick={async () => {
            setStartError(null);
            try {
              const r = await api['export.start']({
                filter,
                ...(subject ? { subject } : {}),
                identity: identity!,
                out,
                ...(password ? { password } : {}),
                ...(previousApplies && previous ? { previous } : {}),
              });
              setStartedSubject(subject?.userId ?? null);
              setJobId(r.jobId);
            } catch (e) {
              setStartError(errorMessage(e));
            }
          }}
        >
          Export and sign
        </button>
        {startError ? (
          <p role="alert" className="error-text">
            {startError}
          </p>
        ) : null}
      </fieldset>
      {job ? <JobProgressView job={job} label="Export" onCancel={() => void api['jobs.cancel']({ jobId: job.jobId })} /> : null}
      {result ? (
        <section aria-label="Export result" className="card">
          <p data-testid="export-done">
            Package <span className="mono">{printable(result.out)}</span> written from <SourceName source={result.source} /> ({result.files.length} files, id {result.packageId}). Chain check at
            export:{' '}
            {result.integrity.intact === null
              ? 'not applicable'
              : startedSubject !== null && result.integrity.intact
                ? `each of data subject ${printable(startedSubject)}'s rows recomputed (a subset: the chain's continuity is not shown)`
                : !result.integrity.intact
                  ? `${result.integrity.breaks} breaks recorded in the report`
                  : result.drift.chainRows
                    ? `the chain links up, but ${result.drift.chainRows} of its rows changed at the source after they were first cached`
                    : 'intact'}
            . {result.drift.statement ? `${printable(result.drift.statement)}: both versions are in changes.csv.` : 'No row changed at the source after it was first cached.'}
          </p>
          <Verification path={result.out} />
        </section>
      ) : null}
      <VerifyPackageFile />
    </div>
  );
}

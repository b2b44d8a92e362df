// The switcher: every engagement the app knows with its client, last sync and latest
// verdict (naming its source); open, rename, close (off the list, folder kept) and
// archive (one ZIP), and a form for a new engagement.
import { useEffect, useState } from 'react';
import type { EngagementView } from '../../src-main/core/contract/engagements.js';
import { printable } from '../../src-main/core/util/printable.js';
import { api, errorMessage } from '../api/client.js';
import { useApp } from '../app/store.js';
import { IsoDateInput } from '../app/IsoDateInput.js';
import { formatTs } from '../app/format.js';
import { ErrorState, Loading } from '../app/LoadStates.js';
import { SourceName } from './SourceName.js';
import { useEngagements } from './store.js';

function Verdict({ e }: { e: EngagementView }) {
  const tz = useApp((s) => s.timeZone);
  if (e.problem) return <span className="error-text">{printable(e.problem)}</span>;
  if (!e.verdict) return <span className="muted">never verified</span>;
  // Damage found in the cache since that verdict: it no longer says anything, green or red.
  if (e.verdict.cacheDamaged) {
    return (
      <span>
        <span className="pill pill-bad">cache damaged</span> <span className="muted">the verdict of {formatTs(e.verdict.checkedAt, tz, false)} no longer applies; see Integrity</span>
      </span>
    );
  }
  // A verdict another auditor's run gave (an engagement handed over), or a record no key of
  // this workstation signed, is not a check made here: that leads, and is never green. One that
  // could not see everything (no earlier anchor, say) says so.
  const other = e.verdict.notCheckedHere;
  const said = !e.verdict.intact ? 'not intact' : e.verdict.limited ? 'intact, with limits' : 'intact';
  return (
    <span>
      <span className={`pill ${!e.verdict.intact ? 'pill-bad' : other || e.verdict.limited ? 'pill-warn' : 'pill-ok'}`}>{other && e.verdict.intact ? 'not checked here' : said}</span>{' '}
      {other && e.verdict.intact ? `says ${said}, ` : ''}
      {formatTs(e.verdict.checkedAt, tz, false)} · <SourceName source={e.verdict.source} />
      {other ? <span className="muted small"> · {printable(other.words)}, not checked here</span> : null}
    </span>
  );
}

function Row({ e, onDone }: { e: EngagementView; onDone: (message: string | null) => void }) {
  const tz = useApp((s) => s.timeZone);
  const open = useEngagements((s) => s.open);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(e.name);
  const [client, setClient] = useState(e.client);
  const act = async (work: () => Promise<string | null>) => {
    try {
      onDone(await work());
    } catch (err) {
      onDone(errorMessage(err));
    }
  };
  return (
    <tr data-testid="engagement-row" aria-current={e.open ? 'true' : undefined}>
      <td>
        {renaming ? (
          <form
            onSubmit={(ev) => {
              ev.preventDefault();
              void act(async () => {
                await api['engagements.rename']({ dir: e.dir, name, client });
                setRenaming(false);
                return null;
              });
            }}
          >
            <input aria-label="Engagement name" value={name} onChange={(ev) => setName(ev.target.value)} />
            <input aria-label="Client" value={client} onChange={(ev) => setClient(ev.target.value)} />
            <button type="submit">Save</button>
          </form>
        ) : (
          <>
            <strong>{printable(e.name)}</strong> {e.open ? <span className="pill pill-ok">open</span> : null}
            <div className="mono muted small">{printable(e.dir)}</div>
          </>
        )}
      </td>
      <td>{e.client ? printable(e.client) : <span className="muted">—</span>}</td>
      <td>
        {/* A cache that cannot be read says nothing of its syncs, not even "never". */}
        {e.lastSyncAt ? formatTs(e.lastSyncAt, tz, false) : <span className="muted">{e.problem ? 'unknown' : 'never'}</span>}
      </td>
      <td>
        <Verdict e={e} />
      </td>
      <td className="form-actions">
        {!e.open && !e.problem ? (
          <button type="button" className="primary" onClick={() => void act(() => open(e.dir))}>
            Open
          </button>
        ) : null}
        <button type="button" onClick={() => setRenaming(!renaming)} disabled={!!e.problem}>
          Rename
        </button>
        <button
          type="button"
          disabled={!!e.problem}
          onClick={() =>
            void act(async () => {
              const r = await api['engagements.archive']({ dir: e.dir });
              return `Archived "${e.name}" to ${r.out} (${r.files} files).`;
            })
          }
        >
          Archive
        </button>
        {!e.open ? (
          <button
            type="button"
            onClick={() =>
              void act(async () => {
                await api['engagements.close']({ dir: e.dir });
                return `"${e.name}" is off the list; its folder ${e.dir} is kept and can be opened again.`;
              })
            }
          >
            Close
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/** Any engagement folder: one handed over (its archive unzipped), or one closed off the list earlier. */
function OpenFolderForm() {
  const frontDoor = useApp((s) => s.status?.frontDoor);
  const open = useEngagements((s) => s.open);
  const [dir, setDir] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const openDir = async (path: string) => {
    setProblem(null);
    setProblem(await open(path.trim()));
  };
  return (
    <form
      aria-label="Open an engagement folder"
      onSubmit={(e) => {
        e.preventDefault();
        void openDir(dir);
      }}
    >
      <h3>Open an engagement folder</h3>
      <p className="muted small">
        One handed over to you (unzip its archive first) or one closed earlier. Verdicts another auditor&apos;s runs stored in it are shown as theirs until you verify the cache here.
      </p>
      <input aria-label="Engagement folder" value={dir} onChange={(e) => setDir(e.target.value)} size={70} placeholder="/path/to/engagement-folder" />{' '}
      {frontDoor === 'electron' ? (
        <button
          type="button"
          onClick={() =>
            void api['files.chooseOpenPath']({ title: 'Open an engagement folder', extensions: [], directory: true }).then((r) => {
              if (!r.path) return;
              setDir(r.path);
              void openDir(r.path);
            })
          }
        >
          Choose…
        </button>
      ) : null}{' '}
      <button type="submit" disabled={!dir.trim()}>
        Open folder
      </button>
      {problem ? (
        <p role="alert" className="error-text">
          {printable(problem)}
        </p>
      ) : null}
    </form>
  );
}

function CreateForm({ onError }: { onError: (m: string) => void }) {
  const open = useEngagements((s) => s.open);
  const [form, setForm] = useState({ name: '', client: '', purpose: '', periodFrom: '', periodTo: '' });
  const field = (key: keyof typeof form, label: string) => (
    <label>
      {label}
      <input type="text" aria-label={label} value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  // YYYY-MM-DD as everywhere else in the app: a native date field showed mm/dd/yyyy here.
  const day = (key: 'periodFrom' | 'periodTo', label: string) => (
    <label>
      {label}
      <IsoDateInput label={label} value={form[key]} onChange={(v) => setForm((f) => ({ ...f, [key]: v }))} />
    </label>
  );
  return (
    <form
      className="form-grid"
      aria-label="New engagement"
      onSubmit={(e) => {
        e.preventDefault();
        // A date that does not parse is not sent as "no period": the auditor typed one. Its
        // field already says how to write it; focus goes there.
        const unparsed = e.currentTarget.querySelector<HTMLInputElement>('input[aria-invalid="true"]');
        if (unparsed) return unparsed.focus();
        void (async () => {
          try {
            const created = await api['engagements.create']({
              name: form.name,
              client: form.client,
              purpose: form.purpose,
              periodFrom: form.periodFrom || null,
              periodTo: form.periodTo || null,
              open: false,
            });
            const why = await open(created.dir);
            if (why) onError(why);
          } catch (err) {
            onError(errorMessage(err));
          }
        })();
      }}
    >
      {field('name', 'Name')}
      {field('client', 'Client')}
      {field('purpose', 'Purpose')}
      {day('periodFrom', 'Period from')}
      {day('periodTo', 'Period to')}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!form.name.trim()}>
          Create and open
        </button>
      </div>
    </form>
  );
}

export function EngagementsScreen() {
  const list = useEngagements((s) => s.list);
  const error = useEngagements((s) => s.error);
  const load = useEngagements((s) => s.load);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);
  if (error && !list) return <ErrorState message={error} onRetry={() => void load()} />;
  if (!list) return <Loading />;
  const done = (m: string | null) => {
    setMessage(m);
    void load();
  };
  return (
    <section className="screen-pad engagements">
      <h2>Engagements</h2>
      <p className="muted">One folder per investigation: its details, connection profiles, cache, checkpoints and exports. Every screen shows only the open one.</p>
      {list.notices.map((n) => (
        <div key={n} className="banner" role="status">
          {printable(n)}
        </div>
      ))}
      {message || error ? (
        <div className="banner" role="status">
          {printable(message ?? error ?? '')}
        </div>
      ) : null}
      <table className="data-table">
        <thead>
          <tr>
            <th>Engagement</th>
            <th>Client</th>
            <th>Last sync</th>
            <th>Latest verdict</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.engagements.map((e) => (
            <Row key={e.dir} e={e} onDone={done} />
          ))}
        </tbody>
      </table>
      <OpenFolderForm />
      <h3>New engagement</h3>
      <CreateForm onError={setMessage} />
    </section>
  );
}

import { useCallback, useEffect, useState } from 'react';
import type { CheckpointInfo, CheckpointSignature, IntegrityReport, NotCheckedHere } from '../../src-main/core/contract/integrity.js';
import { api, errorCode, errorMessage } from '../api/client.js';
import { useApp } from '../app/store.js';
import { countOf, formatCount, formatTs } from '../app/format.js';
import { againstLabel, useChainVerdicts } from '../app/chain-verdicts.js';
import { Empty, ErrorState, Loading } from '../app/LoadStates.js';
import { JobProgressView } from '../app/JobProgress.js';
import { useJob } from '../app/use-job.js';
import type { Load } from '../timeline/store.js';
import { downloadJson } from '../app/download.js';
import { safeFileName } from '../app/file-names.js';
import { AnchorPanel } from './AnchorPanel.js';
import { ChainLimitMarks, ChainVerdict } from './ChainVerdict.js';
import { BreakLine } from './BreakLine.js';
import { SourceName } from '../engagements/SourceName.js';
import { CacheDamageNotice } from '../app/CacheDamageNotice.js';
import { runNoteIn } from '../app/worded-times.js';
import { printable } from '../../src-main/core/util/printable.js';
import { TenantName, useCachedTenantLookAlikes } from '../app/LookAlike.js';

/** The newest head this app saw itself (sync or verify, signed), as an anchor file for a later visit. */
async function saveHeads(chains: { tenant: string; table: string }[]): Promise<number> {
  const anchors: Record<string, unknown>[] = [];
  for (const c of chains) {
    const [cp] = await api['integrity.checkpoints']({ tenant: c.tenant, table: c.table, origins: ['sync', 'verify'], limit: 1 });
    if (cp) anchors.push(cp.anchor);
  }
  if (anchors.length === 1) {
    const c = anchors[0] as { tenant: string; table: string; last_seq: number | string };
    downloadJson(`${safeFileName('auditdesk-anchor', c.tenant, c.table, `seq${c.last_seq}`)}.json`, anchors[0]);
  } else if (anchors.length > 1) {
    downloadJson(`${safeFileName('auditdesk-anchors', new Date().toISOString().slice(0, 10))}.json`, { anchors });
  }
  return anchors.length;
}

/** One line first: how many chains, how many intact or broken, when and against what. */
function IntegritySummary({ report }: { report: IntegrityReport }) {
  const tz = useApp((s) => s.timeZone);
  // The same verdict words as the rows (ChainVerdict): an EMPTY chain is neither intact nor broken.
  // A chain whose cached rows were found damaged after its verdict counts as neither.
  // An intact verdict not checked here (another auditor's run, or a record no key of this
  // workstation signed) is counted apart, and so is one intact only as far as its limits allow
  // (a first sync's, with no earlier head to check against): neither makes the line green.
  const verdicts = report.chains.map((c) => {
    if (c.cacheDamage) return 'not known';
    const v = c.verdict ?? (c.intact ? 'intact' : 'broken');
    if (v !== 'intact') return v;
    return c.notCheckedHere ? 'not checked here' : c.limits?.length ? 'with limits' : v;
  });
  const broken = verdicts.filter((v) => v === 'broken').length;
  const empty = verdicts.filter((v) => v === 'empty').length;
  const unknown = verdicts.filter((v) => v === 'not known').length;
  const notCheckedHere = verdicts.filter((v) => v === 'not checked here').length;
  const limited = verdicts.filter((v) => v === 'with limits').length;
  const byAnotherAuditor = report.chains.every((c) => !c.notCheckedHere || c.notCheckedHere.why === 'another-key');
  const run = report.lastRun;
  const changed = report.drift.count;
  return (
    <p
      className={`integrity-summary ${broken || empty || unknown || changed ? 'summary-broken' : notCheckedHere || limited ? 'summary-warn' : 'summary-intact'}`}
      role="status"
      data-testid="integrity-summary"
    >
      <strong>{countOf(report.chains.length, 'chain')}</strong>: {verdicts.filter((v) => v === 'intact').length} intact, <span className={broken ? 'error-text' : undefined}>{broken} broken</span>
      {empty ? <span className="error-text">, {empty} empty</span> : null}
      {unknown ? <span className="error-text">, {unknown} not known (cache damaged)</span> : null}
      {limited ? <span className="warn">, {limited} intact only as far as the limits listed below allow</span> : null}
      {notCheckedHere ? (
        <span className="warn">
          , {notCheckedHere} intact by {byAnotherAuditor ? "another auditor's verdict" : 'a verdict record this workstation did not sign'}, not checked here (“Re-verify cache” gives your own)
        </span>
      ) : null}
      {changed ? (
        <span className="error-text">
          ; {changed === 1 ? '1 row changed at the source after it was first cached' : `${formatCount(changed)} rows changed at the source after they were first cached`} (listed below)
        </span>
      ) : null}
      {run ? ` · last verified ${formatTs(run.checkedAt, tz)} against ${againstLabel(run.target)}` : ''}
    </p>
  );
}

/**
 * The way out of a damaged cache (the CLI's `sync --rebuild`): the file goes aside, kept
 * for inspection, and the active connection is synced into a new one. Its signed
 * checkpoints are carried over, its review work when all of it verifies, and its drift
 * findings whose values still give their digests (verify/carry-over.ts).
 */
function RebuildCacheButton({ disabled, onStarted, onError }: { disabled: boolean; onStarted: (jobId: string) => void; onError: (message: string) => void }) {
  const rebuild = async () => {
    if (
      !confirm(
        'Move the damaged cache aside and sync a new one from the active connection? Its signed checkpoints that still verify are carried into the new cache, its review work (journal, signed decisions and completions) when all of it verifies, and its drift findings whose values still give their digests; the damaged file is kept beside it for inspection.',
      )
    )
      return;
    try {
      onStarted((await api['sync.start']({ rebuild: true })).jobId);
    } catch (e) {
      onError(errorMessage(e));
    }
  };
  return (
    <button type="button" className="primary" disabled={disabled} onClick={() => void rebuild()}>
      Rebuild the cache
    </button>
  );
}

/**
 * What the last verification (or sync's verdict) said beside its verdicts, read from its stored
 * report so the notes stay with the verdicts they qualify (the CLI prints them as `note:` lines).
 */
function RunNotes({ notes, notCheckedHere }: { notes: readonly string[]; notCheckedHere: NotCheckedHere | null }) {
  const tz = useApp((s) => s.timeZone);
  if (!notes.length) return null;
  return (
    <section aria-label="Notes of the last verification" className="small">
      <h3>Notes of the last verification</h3>
      {/* Its words ("this data folder's auditor key") are about the workstation that ran it. */}
      {notCheckedHere?.why === 'another-key' ? (
        <p className="warn">Run by another auditor (key {printable(notCheckedHere.keyId ?? '')}): where a note says “this data folder”, it means theirs.</p>
      ) : notCheckedHere ? (
        <p className="warn">These notes come with {printable(notCheckedHere.words)}: not checked here.</p>
      ) : null}
      <ul>
        {notes.map((n, i) => (
          <li key={i}>{printable(runNoteIn(n, tz))}</li>
        ))}
      </ul>
    </section>
  );
}

const CHANGE_WORDS: Record<IntegrityReport['drift']['findings'][number]['change'], string> = {
  modified: 'modified',
  deleted: 'deleted',
  added: 'added behind the sync watermark',
};

/**
 * The rows that changed at the source after they were first cached: the verdicts above are over
 * the rows as they are now, so this is where a changed conversation or a deleted anomaly shows.
 */
function DriftTable({ drift, alike }: { drift: IntegrityReport['drift']; alike: ReadonlyMap<string, string> }) {
  const tz = useApp((s) => s.timeZone);
  if (!drift.count) return null;
  return (
    <section aria-labelledby="drift-heading">
      <h3 id="drift-heading">Changes at the source</h3>
      <p className="small">
        {drift.count === 1 ? '1 row changed' : `${formatCount(drift.count)} rows changed`} at the source after {drift.count === 1 ? 'it was' : 'they were'} first cached ({formatCount(drift.open)} not
        decided yet). Both versions of each are kept: the Review screen decides them, and a package lists them in changes.csv.
      </p>
      <table className="data-table" aria-label="Changes at the source">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Table</th>
            <th scope="col">Row id</th>
            <th scope="col">Change</th>
            <th scope="col">First seen</th>
            <th scope="col">Recorded in</th>
            <th scope="col">Decision</th>
          </tr>
        </thead>
        <tbody>
          {drift.findings.map((f) => (
            <tr key={`${f.carriedFrom?.file ?? ''}#${f.findingId}`} className="broken">
              <td>
                <TenantName name={f.tenant} alike={alike} />
              </td>
              <td>{printable(f.table)}</td>
              <td className="mono">{printable(f.key)}</td>
              <td>{CHANGE_WORDS[f.change]}</td>
              <td>{formatTs(f.detectedAt, tz)}</td>
              <td className="small">{f.carriedFrom ? `${printable(f.carriedFrom.file)}, carried over at the rebuild of ${formatTs(f.carriedFrom.at, tz)}` : 'this cache'}</td>
              <td>{f.status === 'open' ? 'open' : printable(f.decision ?? 'decided')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {drift.findingsOmitted ? <p className="muted small">… and {formatCount(drift.findingsOmitted)} more, on the Review screen and in changes.csv.</p> : null}
    </section>
  );
}

/** Says that some listed checkpoints take no part in any verdict, so a long list is not read as evidence. */
function NotComparedNote({ checkpoints }: { checkpoints: readonly CheckpointInfo[] }) {
  const left = checkpoints.filter((c) => c.signature !== 'valid').length;
  if (!left) return null;
  return (
    <p className="muted" data-testid="checkpoints-not-compared">
      {left === 1 ? '1 checkpoint below is' : `${left} checkpoints below are`} not compared with the chains: only those signed by this data folder's auditor key are. To compare with another auditor's
      head, check the anchor file they saved (“Save head”) under External anchor.
    </p>
  );
}

/** Only the auditor's own signed heads are compared with the chains (docs/verification.md). */
const SIGNATURE_TEXT: Record<CheckpointSignature, string> = {
  valid: 'valid',
  invalid: 'does not verify (edited): not compared',
  unsigned: 'unsigned: not compared',
  'other-key': 'signed by another key: not compared',
};

export function IntegrityScreen() {
  const tz = useApp((s) => s.timeZone);
  const [report, setReport] = useState<Load<IntegrityReport>>({ state: 'idle' });
  // Against every cached tenant as well as those the report names: a seal or a chain is marked while its twin has no row here.
  const tenantsAlike = useCachedTenantLookAlikes(report.state === 'ready' ? [...report.value.chains, ...report.value.seals].map((c) => c.tenant) : undefined);
  /** The cache could not even be read: the rebuild is offered beside the error. */
  const [unreadable, setUnreadable] = useState(false);
  const [jobLabel, setJobLabel] = useState('Verification');
  const [checkpoints, setCheckpoints] = useState<Load<CheckpointInfo[]>>({ state: 'idle' });
  const [jobId, setJobId] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const { job } = useJob(jobId);

  const load = useCallback(async () => {
    setReport((r) => (r.state === 'ready' ? r : { state: 'loading' }));
    try {
      setReport({ state: 'ready', value: await api['integrity.report']({}) });
      setUnreadable(false);
    } catch (e) {
      setReport({ state: 'error', message: errorMessage(e) });
      setUnreadable(errorCode(e) === 'E_CACHE_CORRUPT');
    }
    try {
      setCheckpoints({ state: 'ready', value: await api['integrity.checkpoints']({ limit: 50 }) });
    } catch (e) {
      setCheckpoints({ state: 'error', message: errorMessage(e) });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const jobState = job?.state;
  useEffect(() => {
    if (jobState && jobState !== 'running') {
      void load();
      void useChainVerdicts.getState().load();
    }
  }, [jobState, load]);

  const save = async (chains: { tenant: string; table: string }[]) => {
    setStartError(null);
    try {
      if ((await saveHeads(chains)) === 0) setStartError('No signed head yet for that chain: press “Re-verify cache” first, then save.');
    } catch (e) {
      setStartError(errorMessage(e));
    }
  };

  const verify = async (target: 'cache' | 'source+cache') => {
    setStartError(null);
    try {
      setJobLabel('Verification');
      setJobId((await api['integrity.verify']({ target })).jobId);
    } catch (e) {
      setStartError(errorMessage(e));
    }
  };

  const rebuildButton = (
    <RebuildCacheButton
      disabled={job?.state === 'running'}
      onError={setStartError}
      onStarted={(id) => {
        setStartError(null);
        setJobLabel('Rebuild the cache and sync');
        setJobId(id);
      }}
    />
  );

  return (
    <div className="screen-pad">
      <div className="toolbar wrap">
        <h2>Integrity</h2>
        <button type="button" className="primary" disabled={job?.state === 'running'} onClick={() => void verify('cache')}>
          Re-verify cache
        </button>
        <button type="button" disabled={job?.state === 'running'} onClick={() => void verify('source+cache')}>
          Verify source and cache
        </button>
        {report.state === 'ready' && report.value.chains.length > 1 ? (
          <button type="button" onClick={() => void save(report.value.chains)}>
            Save all heads
          </button>
        ) : null}
        {report.state === 'ready' && report.value.lastRun ? (
          <span className="muted small">
            Last run {formatTs(report.value.lastRun.checkedAt, tz)} on {report.value.lastRun.target}
            {report.value.lastRun.source ? (
              <>
                {' '}
                of <SourceName source={report.value.lastRun.source} />
              </>
            ) : (
              ' (no source recorded)'
            )}
            : <span data-last-run>{lastRunFound(report.value.lastRun)}</span>
            {report.value.lastRun.notCheckedHere ? (
              <span className="warn" data-testid="last-run-not-checked-here">
                {' '}
                ({printable(report.value.lastRun.notCheckedHere.words)}, not checked here)
              </span>
            ) : null}
          </span>
        ) : null}
      </div>
      {startError ? (
        <p role="alert" className="error-text">
          {startError}
        </p>
      ) : null}
      {job ? <JobProgressView job={job} label={jobLabel} onCancel={() => void api['jobs.cancel']({ jobId: job.jobId })} /> : null}
      {report.state === 'error' ? (
        <>
          <ErrorState message={report.message} onRetry={() => void load()} />
          {unreadable ? rebuildButton : null}
        </>
      ) : report.state !== 'ready' ? (
        <Loading />
      ) : report.value.chains.length === 0 && report.value.seals.length === 0 ? (
        <Empty title="Nothing verified yet.">Sync a tenant, then press “Re-verify cache” (works offline).</Empty>
      ) : (
        <>
          {report.value.cacheDamage.length ? <CacheDamageNotice damage={report.value.cacheDamage}>{rebuildButton}</CacheDamageNotice> : null}
          <IntegritySummary report={report.value} />
          {report.value.lastRun ? <RunNotes notes={report.value.lastRun.notes} notCheckedHere={report.value.lastRun.notCheckedHere} /> : null}
          <table className="data-table" aria-label="Chains and tables">
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Table</th>
                <th scope="col">Verdict</th>
                <th scope="col">Rows checked</th>
                <th scope="col">Breaks</th>
              </tr>
            </thead>
            <tbody>
              {report.value.chains.map((c) => (
                <tr key={`${c.tenant}/${c.table}`} className={c.intact ? undefined : 'broken'} data-kind="chain" data-chain={`${c.tenant}/${c.table}`}>
                  <td>
                    <TenantName name={c.tenant} alike={tenantsAlike} />
                  </td>
                  <td>{printable(c.table)}</td>
                  <td>
                    <ChainVerdict c={c} />
                    <ChainLimitMarks c={c} />
                    <div className="muted small" data-testid="chain-source">
                      checked {formatTs(c.checkedAt, tz)} against {againstLabel(report.value.lastRun?.reportId === c.reportId ? report.value.lastRun.target : null)}
                    </div>
                    <button type="button" className="link small" aria-label={printable(`Save the head of ${c.tenant} ${c.table} as an anchor file`)} onClick={() => void save([c])}>
                      Save head
                    </button>
                  </td>
                  <td>
                    {formatCount(c.rows)} {c.cacheDamage ? '(checked before the damage was found)' : `(${formatCount(c.intactRows)} intact)`}
                  </td>
                  <td>
                    {c.breaks.length === 0 ? (
                      '—'
                    ) : (
                      <ul className="break-list" aria-label={printable(`Breaks in ${c.tenant} ${c.table}`)}>
                        {c.breaks.map((b, i) => (
                          <li key={i} data-break-kind={b.kind}>
                            <BreakLine tenant={c.tenant} b={b} />
                          </li>
                        ))}
                        {c.breaksOmitted ? <li className="muted">… and {formatCount(c.breaksOmitted)} more</li> : null}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
              {report.value.seals.map((seal) => {
                // A seal over no rows commits to nothing: unchanged, but not a green "intact" (the CLI says EMPTY).
                const empty = seal.intact && seal.rowsSealed === 0;
                return (
                  <tr key={`seal/${seal.tenant}/${seal.table}/${seal.against}`} className={seal.intact ? undefined : 'broken'} data-kind="seal" data-chain={`${seal.tenant}/${seal.table}`}>
                    <td>
                      <TenantName name={seal.tenant} alike={tenantsAlike} />
                    </td>
                    <td>
                      {printable(seal.table)}
                      <div className="muted small">
                        sealed table ({seal.kind}), against {seal.against}
                      </div>
                    </td>
                    <td>
                      <strong className={!seal.intact ? 'error-text' : seal.notCheckedHere ? 'warn' : empty ? 'muted' : 'ok-text'} data-given={seal.notCheckedHere?.why}>
                        {!seal.intact ? 'CHANGED' : empty ? 'empty' : 'intact'}
                      </strong>
                      {empty ? <div className="small">no rows when sealed, none now: nothing proven</div> : null}
                      {seal.notCheckedHere ? <div className="small">{printable(seal.notCheckedHere.words)}, not checked here</div> : null}
                      <div className="muted small">checked {formatTs(seal.checkedAt, tz)}</div>
                    </td>
                    <td>
                      {formatCount(seal.rowsNow)} of {formatCount(seal.rowsSealed)} sealed
                    </td>
                    <td className="small">
                      {seal.intact ? '—' : `${seal.counts.modified} modified, ${seal.counts.deleted} deleted, ${seal.counts.added} added. `}
                      {seal.intact ? null : printable(seal.explanation)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <DriftTable drift={report.value.drift} alike={tenantsAlike} />
        </>
      )}
      <AnchorPanel onChecked={() => void load()} />
      <h3>Checkpoint history</h3>
      {checkpoints.state === 'error' ? (
        <ErrorState message={checkpoints.message} />
      ) : checkpoints.state !== 'ready' ? (
        <Loading />
      ) : checkpoints.value.length === 0 ? (
        <Empty title="No checkpoints yet." />
      ) : (
        <>
          <NotComparedNote checkpoints={checkpoints.value} />
          <table className="data-table" aria-label="Checkpoint history">
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Origin</th>
                <th scope="col">Source</th>
                <th scope="col">Tenant · table</th>
                <th scope="col">Head</th>
                <th scope="col">Signature</th>
              </tr>
            </thead>
            <tbody>
              {checkpoints.value.map((c) => (
                <tr key={c.checkpointId}>
                  <td>{formatTs(c.createdAt, tz)}</td>
                  <td>{c.origin}</td>
                  <td>
                    <SourceName source={c.sourceFingerprint ? { label: c.sourceLabel ?? 'a source not synced here', fingerprint: c.sourceFingerprint } : null} />
                  </td>
                  <td>
                    <TenantName name={c.tenant} alike={tenantsAlike} /> · {printable(c.table)}
                  </td>
                  <td>
                    seq {String(c.lastSeq)} <span className="mono muted">{printable(c.headHash.slice(0, 16))}…</span>
                  </td>
                  <td className={c.signature === 'valid' ? 'ok-text' : c.signature === 'invalid' ? 'error-text' : 'muted'}>
                    {SIGNATURE_TEXT[c.signature]}
                    {c.signature === 'other-key' && c.keyId ? <div className="mono small">key {printable(c.keyId)}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/** The last run in words: what it found, never "breaks found" for a run that was only EMPTY or limited. */
function lastRunFound(run: NonNullable<IntegrityReport['lastRun']>): string {
  const { breaks, emptyChains, limitedChains, sealsChanged, driftFindings } = run.found;
  const found = [
    breaks ? `${breaks} break(s)` : '',
    sealsChanged ? `${sealsChanged} changed seal(s)` : '',
    // absent from runs stored before the count was read
    driftFindings ? `${countOf(driftFindings, 'row')} changed at the source` : '',
    emptyChains ? `${emptyChains} empty chain(s)` : '',
    limitedChains ? `${limitedChains} chain(s) with limits` : '',
  ].filter(Boolean);
  if (!found.length) return run.intact ? 'intact' : 'not intact';
  return `${run.intact ? 'intact, ' : ''}${found.join(', ')}`;
}

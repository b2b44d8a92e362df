import { useState } from 'react';
import { lookAlikeWords, printable } from '../../src-main/core/util/printable.js';
import { facetLookAlikes } from '../app/LookAlike.js';
import type { FacetName, FacetsResult, RangeBucket } from '../../src-main/core/contract/records.js';
import { formatBound, formatCount } from '../app/format.js';
import { IsoDateInput } from '../app/IsoDateInput.js';
import { useApp } from '../app/store.js';
import { breaksLabel, intactNotCheckedHere, needsWarning, useChainVerdicts } from '../app/chain-verdicts.js';
import { ErrorState, Loading } from '../app/LoadStates.js';
import type { Load } from '../timeline/store.js';
import { FACET_LABELS, LIST_KEYS, type Filter } from './filter-state.js';

interface Props {
  filter: Filter;
  facets: Load<FacetsResult>;
  onChange(filter: Filter): void;
  /** An error the screen already shows beside the panel: named, not repeated. */
  errorSaidBeside?: string | null;
}

/** A facet count; "≈" when the backend counted a sample, with how in the tooltip. */
function FacetCount({ count, sampled }: { count: number; sampled: { rows: number; of: number } | undefined }) {
  if (!sampled) return <span className="count">{formatCount(count)}</span>;
  return (
    <span className="count approx" title={`Approximate: counted on the newest ${formatCount(sampled.rows)} of ${formatCount(sampled.of)} matching rows, so the exact number may differ.`}>
      ≈{formatCount(count)}
    </span>
  );
}

function FacetGroup({ name, filter, result, onChange }: { name: FacetName; filter: Filter; result: FacetsResult; onChange(f: Filter): void }) {
  const facet = result.facets[name];
  const verdicts = useChainVerdicts((s) => s.byTenant);
  const selected = filter[name] ?? [];
  const [open, setOpen] = useState(selected.length > 0 || ['tenant', 'modelProvider', 'safetyMode', 'eventType', 'severity'].includes(name));
  if (!facet || (facet.values.every((v) => v.value === null) && selected.length === 0)) return null;
  const toggle = (value: string) => {
    const next = selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value];
    onChange({ ...filter, [name]: next });
  };
  // Selected values stay visible even when the other filters leave them with no rows.
  const shown = [...facet.values];
  for (const v of selected) if (!shown.some((f) => f.value === v)) shown.push({ value: v, count: 0 });
  // Any facet, not only tenants: an insider who writes events as "аdmin" (a Cyrillic а) beside
  // "admin", or a "lоgin" event type, gets two rows that draw alike. Compared among the values
  // shown; a value past a truncated list is compared with nothing.
  const alike = facetLookAlikes(shown);
  return (
    <details className="facet" data-facet={name} open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        {FACET_LABELS[name]}
        {selected.length ? <span className="badge">{selected.length}</span> : null}
      </summary>
      <fieldset>
        <legend className="sr-only">{FACET_LABELS[name]}</legend>
        {shown.map((f) => {
          if (f.value === null) {
            return (
              <div key="__null" className="facet-row muted">
                <span className="facet-value">(empty)</span>
                <FacetCount count={f.count} sampled={facet.sampled} />
              </div>
            );
          }
          const text = printable(f.value);
          return (
            <label key={f.value} className="facet-row" data-value={f.value}>
              <input type="checkbox" checked={selected.includes(f.value)} onChange={() => toggle(f.value!)} />
              <span className="facet-value" title={text}>
                {text}
              </span>
              {alike.has(f.value) ? (
                <span className="warn chain-flag" title={lookAlikeWords(f.value, alike.get(f.value)!)} data-testid="facet-look-alike">
                  look-alike
                </span>
              ) : null}
              {/* Beside the name, not inside it: a long name is cut short, its chain's mark never. */}
              {name === 'tenant' && needsWarning(verdicts[f.value]) ? (
                <span className="error-text chain-flag" title={breaksLabel(verdicts[f.value]!)} data-testid="facet-chain-broken">
                  {' '}
                  ⚠ {verdicts[f.value]!.breaks || '?'}
                </span>
              ) : name === 'tenant' && intactNotCheckedHere(verdicts[f.value]) ? (
                <span
                  className="warn chain-flag"
                  title={`chain verdict says intact: ${printable(verdicts[f.value]!.notCheckedHere!.words)}, not checked here`}
                  data-testid="facet-chain-not-checked-here"
                >
                  {' '}
                  unchecked
                </span>
              ) : null}
              <FacetCount count={f.count} sampled={facet.sampled} />
            </label>
          );
        })}
        {facet.sampled ? (
          <div className="muted small" data-testid="facet-sampled">
            ≈ counted on the newest {formatCount(facet.sampled.rows)} of {formatCount(facet.sampled.of)} matching rows
          </div>
        ) : null}
        {facet.truncated ? <div className="muted small">more values: narrow the other filters</div> : null}
      </fieldset>
    </details>
  );
}

function RangeGroup(props: { label: string; buckets: RangeBucket[] | undefined; active: boolean; onPick(b: RangeBucket): void; onClear(): void; testId: string }) {
  if (!props.buckets || props.buckets.length === 0) return null;
  return (
    <details className="facet" open={props.active} data-testid={props.testId}>
      <summary>
        {props.label}
        {props.active ? <span className="badge">1</span> : null}
      </summary>
      <div role="group" aria-label={props.label}>
        {props.buckets.map((b) => (
          <button key={b.label} type="button" className="facet-row facet-button" onClick={() => props.onPick(b)}>
            <span className="facet-value">{b.label}</span>
            <span className="count">{formatCount(b.count)}</span>
          </button>
        ))}
        {props.active ? (
          <button type="button" className="link" onClick={props.onClear}>
            Clear {props.label.toLowerCase()}
          </button>
        ) : null}
      </div>
    </details>
  );
}

export function FacetPanel({ filter, facets, onChange, errorSaidBeside }: Props) {
  const tz = useApp((s) => s.timeZone);
  const dateOnly = (v: string | undefined) => (v ? v.slice(0, 10) : '');
  return (
    <aside className="facets" aria-label="Filters">
      <div className="facet-fixed">
        <div role="radiogroup" aria-label="Show" className="segmented">
          {(['all', 'event', 'conversation'] as const).map((k) => (
            <label key={k}>
              <input type="radio" name="kind" checked={(filter.kind ?? 'all') === k} onChange={() => onChange({ ...filter, kind: k })} />
              <span>
                {k === 'all' ? 'All' : k === 'event' ? 'System events' : 'Conversations'}
                {facets.state === 'ready' && facets.value.kind && k !== 'all' ? ` ${formatCount(facets.value.kind[k])}` : ''}
              </span>
            </label>
          ))}
        </div>
        <div className="date-range">
          <label>
            From
            <IsoDateInput label="From (UTC day)" value={dateOnly(filter.from)} onChange={(v) => onChange({ ...filter, from: v || undefined })} />
          </label>
          {/* The upper bound is exclusive (as the export's "To"): named "Before" so a day typed there is not read as included. */}
          <label>
            Before
            <IsoDateInput label="Before (UTC day, not included)" value={dateOnly(filter.to)} onChange={(v) => onChange({ ...filter, to: v || undefined })} />
          </label>
        </div>
        {filter.from && formatBound(filter.from, tz).length > 10 ? <div className="muted small">From {formatBound(filter.from, tz)}</div> : null}
        {filter.to && formatBound(filter.to, tz).length > 10 ? <div className="muted small">Before {formatBound(filter.to, tz)}</div> : null}
      </div>
      {facets.state === 'error' && facets.message === errorSaidBeside ? (
        <p className="muted small" data-testid="facets-not-counted">
          Facets not counted: the reason is shown with the rows.
        </p>
      ) : facets.state === 'error' ? (
        <ErrorState message={facets.message} />
      ) : facets.state !== 'ready' ? (
        <Loading label="Counting…" />
      ) : (
        <>
          {LIST_KEYS.map((name) => (
            <FacetGroup key={name} name={name} filter={filter} result={facets.value} onChange={onChange} />
          ))}
          <RangeGroup
            label="Temperature"
            testId="facet-temperature"
            buckets={facets.value.temperature}
            active={filter.temperatureMin !== undefined || filter.temperatureMax !== undefined}
            onPick={(b) => onChange({ ...filter, temperatureMin: b.min ?? undefined, temperatureMax: b.max ?? undefined })}
            onClear={() => onChange({ ...filter, temperatureMin: undefined, temperatureMax: undefined })}
          />
          <RangeGroup
            label="Anomaly score"
            testId="facet-anomaly"
            buckets={facets.value.anomalyScore}
            active={filter.minAnomalyScore !== undefined}
            onPick={(b) => onChange({ ...filter, minAnomalyScore: b.min ?? 0 })}
            onClear={() => onChange({ ...filter, minAnomalyScore: undefined })}
          />
        </>
      )}
    </aside>
  );
}

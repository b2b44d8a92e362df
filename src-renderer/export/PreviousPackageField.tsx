// The package of the last visit (#18): by default the tenant's last package this
// engagement exported, shown and clearable. The new package then carries a consistency
// proof that its chain extends that one, or the export names the range rewritten since.
import { api } from '../api/client.js';
import { useSuggestedValue } from '../app/use-suggested-value.js';

/** The previous package of `tenant` (the engagement's last one by default; '' when cleared or none). */
export function usePreviousPackage(tenant: string): [string, (path: string) => void] {
  return useSuggestedValue(
    tenant || null,
    () =>
      api['export.lastPackage']({ tenant }).then(
        (r) => r?.path ?? '',
        () => '', // no journal to read: no default, the field stays empty
      ),
    { clearOnChange: true },
  );
}

export function PreviousPackageField({ value, onChange, applies }: { value: string; onChange: (path: string) => void; applies: boolean }) {
  if (!applies) {
    return (
      <p className="muted" data-testid="previous-package">
        Previous package: not used. A filtered or data-subject export is not compared with an earlier package.
      </p>
    );
  }
  return (
    <div className="stack" data-testid="previous-package">
      <label className="stack">
        Previous package (this visit's chain must extend it)
        <input aria-label="Previous package" value={value} placeholder="none: this package starts the series" onChange={(e) => onChange(e.target.value)} size={70} />
      </label>
      {value ? (
        <button type="button" onClick={() => onChange('')}>
          Clear previous package
        </button>
      ) : null}
    </div>
  );
}

import { printableLookAlike } from '../../src-main/core/util/printable.js';

/** Beside a name that draws like another of the same list (lookAlikes): both written so they differ. */
export function LookAlikeNote({ name, other }: { name: string; other: string | undefined }) {
  if (other === undefined) return null;
  return (
    <span className="warn" data-testid="tenant-look-alike">
      ({printableLookAlike(name)} looks like {printableLookAlike(other)})
    </span>
  );
}

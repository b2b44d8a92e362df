import { printableLookAlike } from '../../src-main/core/util/printable.js';

/** "gl\u{43E}bex-bank looks like globex-bank": a look-alike pair (lookAlikes) written so the two differ. */
export function lookAlikeWords(name: string, other: string): string {
  return `${printableLookAlike(name)} looks like ${printableLookAlike(other)}`;
}

/** Beside a name that draws like another of the same list. */
export function LookAlikeNote({ name, other }: { name: string; other: string | undefined }) {
  if (other === undefined) return null;
  return (
    <span className="warn" data-testid="tenant-look-alike">
      ({lookAlikeWords(name, other)})
    </span>
  );
}

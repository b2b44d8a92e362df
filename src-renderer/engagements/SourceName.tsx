// How a verdict, a checkpoint or a package names the source it is about: the label a person
// recognises and enough of the fingerprint to tell two servers with the same name apart.
import type { SourceRef } from '../../src-main/core/contract/engagements.js';
import { printable } from '../../src-main/core/util/printable.js';

export function SourceName({ source }: { source: SourceRef | null }) {
  if (!source) return <span className="muted">no source recorded</span>;
  return (
    <span data-testid="source-name" title={`source fingerprint ${source.fingerprint}`}>
      {printable(source.label)} <span className="mono muted">({source.fingerprint.slice(0, 12)}…)</span>
    </span>
  );
}

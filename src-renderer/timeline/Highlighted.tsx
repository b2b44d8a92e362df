import type { TextSegment } from '../../src-main/core/contract/records.js';

/** Full-text matches marked up as elements around TEXT nodes: never parsed as HTML. */
export function Highlighted({ segments }: { segments: TextSegment[] }) {
  return <>{segments.map((s, i) => (s.match ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}</>;
}

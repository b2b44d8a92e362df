import type { TextSegment } from '../../src-main/core/contract/records.js';
import { printableText } from '../../src-main/core/util/printable.js';

/**
 * Full-text matches marked up as elements around TEXT nodes: never parsed as HTML. Escaped
 * here, after jsonAsWords, which would strip the braces of an earlier \u{202E}.
 */
export function Highlighted({ segments }: { segments: TextSegment[] }) {
  return <>{segments.map((s, i) => (s.match ? <mark key={i}>{printableText(s.text)}</mark> : <span key={i}>{printableText(s.text)}</span>))}</>;
}

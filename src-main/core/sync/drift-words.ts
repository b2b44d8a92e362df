// The one wording of drift (issue 19), apart from the code that records it: the
// verification report and the verify page inside packages use it without the cache.

/** "1 row" / "3 rows changed at the source after they were first cached". */
export function driftSentence(n: number): string {
  return n === 1 ? '1 row changed at the source after it was first cached' : `${n} rows changed at the source after they were first cached`;
}

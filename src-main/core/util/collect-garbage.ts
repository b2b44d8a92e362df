// A full garbage collection on demand, for the one place where it pays: just before a
// thread spends many seconds inside SQLite (a bulk fill's index builds). A blocked
// thread collects nothing, so the garbage of the fill it just finished (up to ~70 MB
// of a bounded heap) would stay resident beside the index sorter's memory, at the
// sync's peak. The flag-then-new-context way is the one jest-leak-detector uses: V8
// puts `gc` on contexts made after --expose-gc is set, and no other code sees it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Collects this thread's heap now; a no-op where V8 refuses the flag. */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

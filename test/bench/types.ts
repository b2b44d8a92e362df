/** One figure printed by `npm run bench` (test/bench/run.ts). */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  /** The same work done by a reference tool in the same run, for scale. */
  reference?: { name: string; value: number };
  /** The goal from the issues, printed for a human to judge (e.g. "< 60 s"). */
  target?: string;
}

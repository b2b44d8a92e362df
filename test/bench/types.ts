/** One printed figure of `npm run bench`, optionally beside a reference measured in the same run. */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  reference?: { name: string; value: number };
  target?: string;
}

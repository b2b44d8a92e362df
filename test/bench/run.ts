// `npm run bench`: every speed goal of the issues, each printed next to a reference
// tool measured in the same run (psql \copy, a bare SHA-256 pass, …). Figures only:
// nothing here fails a build; the targets are printed for a human to judge.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchLine } from './types.js';

const SUITES = ['demo-generation', 'sync', 'verify', 'export', 'ui-queries', 'ui'];

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3);
}

async function main() {
  // A number among the arguments is the size of the sync bench (`npm run bench -- sync 1000000`).
  const args = process.argv.slice(2);
  const size = args.find((a) => /^\d+$/.test(a));
  if (size) process.env.AUDITDESK_BENCH_SYNC_EVENTS = size;
  const only = args.filter((a) => a !== size);
  const here = dirname(fileURLToPath(import.meta.url));
  for (const suite of SUITES) {
    if (only.length && !only.includes(suite)) continue;
    const file = join(here, `${suite}.js`);
    if (!existsSync(file)) {
      console.log(`\n## ${suite}: not available in this build`);
      continue;
    }
    console.log(`\n## ${suite}`);
    try {
      const mod = (await import(file)) as { bench: () => Promise<BenchLine[]> };
      for (const line of await mod.bench()) {
        let text = `${line.name}: ${fmt(line.value)} ${line.unit}`;
        if (line.reference) {
          text += `  | reference ${line.reference.name}: ${fmt(line.reference.value)} ${line.unit}`;
          if (line.reference.value > 0) text += `  | ratio ${(line.value / line.reference.value).toFixed(2)}`;
        }
        if (line.target) text += `  | target ${line.target}`;
        console.log(text);
      }
    } catch (e) {
      console.log(`${suite} failed: ${(e as Error).stack ?? e}`);
      process.exitCode = 1;
    }
  }
}

await main();

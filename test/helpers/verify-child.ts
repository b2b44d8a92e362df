// Verifies one package in a fresh process and reports what it cost, so a test can
// measure the peak memory of verification alone (not of the test runner).
import { verifyPackage } from '../../src-main/core/export/verify-package.js';

const started = performance.now();
const result = await verifyPackage(process.argv[2]!);
process.stdout.write(
  JSON.stringify({
    verdict: result.verdict,
    failures: result.failures,
    ms: Math.round(performance.now() - started),
    // resourceUsage().maxRSS is in kilobytes.
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);

// Every package a tamper-matrix test checks goes through the three verifiers a reader
// may use: verify-package (Node), docs/verify_package.py (the by-hand specification) and
// verify.html opened from file:// in Chromium (the page inside the package). A different
// verdict from any two of them fails the calling test, and so does a failure code the
// page names that verify-package does not, or one verify-package names that the page
// checks too and did not name.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { PackageVerification, VerifyPackageOptions } from '../../src-main/core/export/verify-package.js';
import { pemToDer } from '../../src-main/core/export/signer-trust.js';
import { verdictOf, verifyWithBoth } from './python-verifier.js';
import { runVerifyPage } from './verify-page.js';

export { closeVerifyPageBrowser } from './verify-page.js';

/**
 * What verify-package checks that the page does not (docs/tlog-evidence.md, "The verify
 * page"): a failure here alone still makes the page's verdict differ, so the verdict
 * comparison catches it; the page is only excused from naming the code.
 */
export const NOT_CHECKED_ON_PAGE: readonly string[] = ['HISTORY_REWRITTEN', 'PREVIOUS_INVALID', 'CHANGES_MISMATCH', 'MINISIGN_INVALID'];

/** The page takes a fingerprint typed by the reader: a pinned certificate becomes its fingerprint; an organisation CA cannot be typed. */
function pagePin(trust: string | undefined): string | undefined | null {
  if (!trust) return undefined;
  if (!trust.includes('-----BEGIN')) return trust;
  const der = pemToDer(trust);
  return der ? createHash('sha256').update(der).digest('hex') : null;
}

export async function verifyWithAll(pkg: string, opts: VerifyPackageOptions & { trustFile?: string } = {}): Promise<PackageVerification> {
  const pin = pagePin(opts.trust);
  assert.notEqual(pin, null, 'verify.html is pinned by a fingerprint or the signer certificate, not by an organisation CA');
  // The three run at once: each is checked against the others only when all have answered.
  const [ts, web] = await Promise.all([verifyWithBoth(pkg, opts), runVerifyPage(pkg, { pin: pin ?? undefined })]);
  assert.deepEqual(web.errors, [], `console errors on verify.html for ${pkg}`);
  assert.deepEqual(web.requests, [], `verify.html made a request for ${pkg}`);
  const tsCodes = [...new Set(ts.failures.map((f) => f.code as string))].sort();
  assert.equal(web.verdict, verdictOf(ts), `verify.html says ${web.verdict} (${web.codes.join(', ')}), verify-package ${verdictOf(ts)} (${tsCodes.join(', ')}) on ${pkg}`);
  assert.deepEqual(
    web.codes.filter((c) => !tsCodes.includes(c)),
    [],
    `verify.html names failures verify-package does not on ${pkg}`,
  );
  assert.deepEqual(
    tsCodes.filter((c) => !NOT_CHECKED_ON_PAGE.includes(c) && !web.codes.includes(c)),
    [],
    `verify-package names failures verify.html checks but did not name on ${pkg} (page: ${web.codes.join(', ')})`,
  );
  return ts;
}

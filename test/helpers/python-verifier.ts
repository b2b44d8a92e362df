// The reference verifier in a second language (docs/verify_package.py) run beside
// verify-package: both must reach the same verdict, and every failure code it names
// verify-package names too, so the by-hand specification and the product cannot drift apart unnoticed.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { scratchDir } from './scratch.js';
import { projectRoot } from '../../src-main/core/util/paths.js';
import { verifyPackage, type PackageVerification, type VerifyPackageOptions } from '../../src-main/core/export/verify-package.js';

export const PYTHON_VERIFIER = join(projectRoot(), 'docs', 'verify_package.py');

export interface PythonVerdict {
  verdict: 'valid' | 'unpinned' | 'invalid';
  exit: number | null;
  codes: string[];
}

/** Runs docs/verify_package.py with --json; `trust` is a fingerprint or a PEM file path. */
export function runPythonVerifier(pkg: string, trust?: string): PythonVerdict {
  const res = spawnSync('python3', pythonArgs(pkg, trust), { encoding: 'utf8', timeout: 120_000 });
  return pythonVerdict(res.status, res.stdout, res.stderr);
}

/** The same, without blocking this thread: the other verifiers run meanwhile. */
function runPythonVerifierAside(pkg: string, trust?: string): Promise<PythonVerdict> {
  return new Promise((resolve, reject) => {
    execFile('python3', pythonArgs(pkg, trust), { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      try {
        resolve(pythonVerdict(err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

function pythonArgs(pkg: string, trust: string | undefined): string[] {
  return [PYTHON_VERIFIER, pkg, '--json', ...(trust ? ['--trust', trust] : [])];
}

function pythonVerdict(status: number | null, stdout: string, stderr: string): PythonVerdict {
  assert.ok(status !== 2 && stdout.trim(), `verify_package.py could not run: ${stderr}`);
  const out = JSON.parse(stdout) as { verdict: PythonVerdict['verdict']; failures: { code: string }[] };
  return { verdict: out.verdict, exit: status, codes: [...new Set(out.failures.map((f) => f.code))].sort() };
}

/** verify-package's verdict in the words of the by-hand specification. */
export function verdictOf(r: PackageVerification): PythonVerdict['verdict'] {
  const v = (r as { verdict?: PythonVerdict['verdict'] }).verdict;
  if (v) return v;
  if (!r.valid) return 'invalid';
  return r.signer?.trusted ? 'valid' : 'unpinned';
}

/**
 * verifyPackage, with the Python verifier run on the same file: a different verdict
 * or a different set of failure codes fails the calling test.
 */
export async function verifyWithBoth(pkg: string, opts: VerifyPackageOptions & { trustFile?: string } = {}): Promise<PackageVerification> {
  const { trustFile, ...tsOpts } = opts;
  let trust = trustFile ?? tsOpts.trust;
  if (trust?.includes('-----BEGIN')) {
    const file = join(scratchDir('auditdesk-pytrust-'), 'trust.pem');
    writeFileSync(file, trust);
    trust = file;
  }
  const [ts, py] = await Promise.all([verifyPackage(pkg, tsOpts), runPythonVerifierAside(pkg, trust)]);
  const tsCodes = [...new Set(ts.failures.map((f) => f.code))].sort();
  assert.equal(py.verdict, verdictOf(ts), `verify_package.py says ${py.verdict} (${py.codes.join(', ')}), verify-package ${verdictOf(ts)} (${tsCodes.join(', ')}) on ${pkg}`);
  // Every failure the reference verifier names, verify-package names too. It may name
  // fewer: it does not repeat the PDF-to-signer binding or the break-by-break
  // comparison of verification.json (see its docstring).
  assert.deepEqual(
    py.codes.filter((c) => !(tsCodes as string[]).includes(c)),
    [],
    `verify_package.py names failures verify-package does not on ${pkg}`,
  );
  assert.equal(py.exit, { valid: 0, unpinned: 3, invalid: 1 }[py.verdict]);
  return ts;
}

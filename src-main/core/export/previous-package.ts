// The package of an earlier visit (`export --previous`): read and verified in full before
// the export starts, its chain head then anchors the new chain's check. Kept apart from
// chain-evidence.ts, which verify-package itself uses, so no module imports its importer.
import { basename } from 'node:path';
import { UserError } from '../util/errors.js';
import type { ManifestAnchor } from './integrity.js';
import type { PreviousPackage } from './package-checkpoint.js';
import { packageTlog, verifyPackage } from './verify-package.js';

export type { PreviousPackage } from './package-checkpoint.js';

/** Reads and verifies `--previous` before the export starts, so its chain head can anchor the new chain's check. */
export async function readPreviousPackage(path: string): Promise<PreviousPackage> {
  const verified = await verifyPackage(path);
  const tlog = packageTlog(verified);
  if (verified.verdict === 'invalid') {
    throw new UserError(
      `the previous package ${basename(path)} does not verify (${verified.failures[0]?.code}: ${verified.failures[0]?.message}).`,
      'E_INPUT',
      'Name the package of the earlier visit as it was handed over.',
    );
  }
  if (!tlog) {
    throw new UserError(
      `the previous package ${basename(path)} carries no signed chain checkpoint (it was made before AuditDesk wrote them, or is a filtered export).`,
      'E_INPUT',
      'Export without --previous; the new package starts the series.',
    );
  }
  return { packageId: verified.packageId, createdAt: verified.createdAt ?? null, tlog, cosignature: verified.cosignature };
}

/**
 * The earlier package's chain head as an anchor of the new chain's check (issue 21):
 * rows it exported that are gone now make the new chain TRUNCATED (or rewritten), in
 * the package's own verdict, not only in the --previous outcome.
 */
export function previousPackageAnchor(p: PreviousPackage): ManifestAnchor | null {
  const n = p.tlog.leaves.size;
  if (n === 0) return null;
  return {
    label: `package ${p.packageId ?? '(no id)'}${p.createdAt ? ` (exported ${p.createdAt})` : ''}`,
    // Outside the cache: the engine must reach it (integrity.ts). Verified, signature and files, before use.
    origin: 'external',
    checkpointId: null,
    lastSeq: p.tlog.leaves.seqs[n - 1]!.toString(),
    headHash: p.tlog.leaves.storedHash(n - 1),
    createdAt: p.createdAt,
    signature: 'valid',
  };
}

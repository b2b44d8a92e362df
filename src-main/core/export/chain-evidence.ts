// A package's chain as transparency-log evidence (docs/tlog-evidence.md): a C2SP
// checkpoint of the exported chain signed with the identity's Ed25519 key (the key of
// signer.pem, published as a vkey), and, between two visits, an RFC 6962 consistency
// proof that the new tree extends the one exported last time. When it does not, the
// first range of rows that differ is named, from the two packages' own rows.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedIdentity } from '../identity/identity.js';
import { UserError } from '../util/errors.js';
import { projectRoot } from '../util/paths.js';
import { minisignPublicKeyFile } from './minisign.js';
import { PACKAGE_FILES } from './package-files.js';
import type { ChainLeafCollector } from '../chain/chain-leaves.js';
import { rawEd25519PublicKey, signNote, verifierKeyText } from '../chain/signed-note.js';
import { checkpointText, type TreeHead } from '../chain/tlog-checkpoint.js';
import { verifyConsistency } from '../chain/tlog-proofs.js';

export { checkPackageCheckpoint, openPackageCheckpoint, type EvidenceFailure, type PackageTlog } from './package-checkpoint.js';
import type { EvidenceFailure, PackageTlog, PreviousPackage } from './package-checkpoint.js';

export const CONSISTENCY_FORMAT = 'auditdesk-consistency/1';

/** Key names carry the identity fingerprint so two auditors never share one. */
export function signerNoteName(fingerprint: string): string {
  return `auditdesk.local/signer/${fingerprint.slice(0, 16)}`;
}

export function signerVerifierKey(fingerprint: string, signingKey: KeyObject): string {
  return verifierKeyText(signerNoteName(fingerprint), rawEd25519PublicKey(createPublicKey(signingKey)));
}

export function packageCheckpoint(leaves: ChainLeafCollector, origin: string, fingerprint: string, signingKey: KeyObject): string {
  return signNote(checkpointText({ origin, size: BigInt(leaves.size), root: leaves.tree().root() }), signerNoteName(fingerprint), signingKey);
}

export interface ConsistencyEvidence {
  previousPackageId: string;
  previous: TreeHead;
  path: Buffer[];
}

export function consistencyText(e: ConsistencyEvidence): string {
  return [
    CONSISTENCY_FORMAT,
    `previous-package ${e.previousPackageId}`,
    `previous-size ${e.previous.size.toString()}`,
    `previous-root ${e.previous.root.toString('base64')}`,
    ...e.path.map((h) => h.toString('base64')),
    '',
  ].join('\n');
}

export function parseConsistencyText(text: string, origin: string): ConsistencyEvidence {
  const lines = text.split('\n');
  const bad = (why: string) => new Error(`consistency.proof is malformed (${why})`);
  if (lines.shift() !== CONSISTENCY_FORMAT) throw bad('first line');
  const id = /^previous-package (\S+)$/.exec(lines.shift() ?? '');
  const size = /^previous-size (0|[1-9][0-9]*)$/.exec(lines.shift() ?? '');
  const root = /^previous-root (\S+)$/.exec(lines.shift() ?? '');
  if (!id || !size || !root) throw bad('header lines');
  if (lines.pop() !== '') throw bad('no final newline');
  const rootBytes = Buffer.from(root[1]!, 'base64');
  if (rootBytes.length !== 32) throw bad('previous root');
  const path = lines.map((l) => {
    const h = Buffer.from(l, 'base64');
    if (h.length !== 32) throw bad('a proof line is not a SHA-256 hash');
    return h;
  });
  return { previousPackageId: id[1]!, previous: { origin, size: BigInt(size[1]!), root: rootBytes }, path };
}

export function extendsPrevious(previous: TreeHead, current: TreeHead, path: readonly Buffer[]): boolean {
  return previous.origin === current.origin && verifyConsistency(previous.size, current.size, previous.root, current.root, path);
}

/**
 * The first run of rows whose stored hash differs between two exports of one chain
 * (by seq), or rows the earlier export has that the later one lacks. Null when the
 * earlier export is a prefix of the later one.
 */
export function firstDifferingRange(earlier: ChainLeafCollector, later: ChainLeafCollector): { fromSeq: bigint; toSeq: bigint; what: string } | null {
  const laterIndex = new Map<bigint, number>();
  later.seqs.forEach((s, i) => laterIndex.set(s, i));
  let from: bigint | null = null;
  let to: bigint | null = null;
  let missing = 0;
  let changed = 0;
  for (let i = 0; i < earlier.size; i++) {
    const seq = earlier.seqs[i]!;
    const j = laterIndex.get(seq);
    const differs = j === undefined || later.storedHash(j) !== earlier.storedHash(i);
    if (differs) {
      if (from === null) from = seq;
      to = seq;
      if (j === undefined) missing++;
      else changed++;
    } else if (from !== null) break;
  }
  if (from === null || to === null) return null;
  const parts = [changed ? `${changed} row(s) rewritten` : '', missing ? `${missing} row(s) removed` : ''].filter(Boolean).join(' and ');
  return { fromSeq: from, toSeq: to, what: parts };
}

/**
 * The later package's chain extends the earlier one's: checked from the two packages'
 * own rows (so a rewritten range is named), and, when the later package carries
 * consistency.proof, that proof is checked too (the file a third party checks with
 * standard RFC 6962 tools without the earlier CSV).
 */
export function checkAgainstPrevious(args: { previous: { packageId: string | null; tlog: PackageTlog | null; verdict: string }; current: PackageTlog; consistency: string | null }): EvidenceFailure[] {
  const { previous, current } = args;
  if (previous.verdict === 'invalid' || !previous.tlog) {
    return [
      {
        code: 'PREVIOUS_INVALID',
        file: 'consistency.proof',
        message: `the previous package${previous.packageId ? ` ${previous.packageId}` : ''} does not verify${previous.tlog ? '' : ' or carries no signed chain checkpoint'}, so it cannot anchor this one`,
      },
    ];
  }
  const before = previous.tlog;
  if (before.head.origin !== current.head.origin) {
    return [{ code: 'PREVIOUS_INVALID', file: 'consistency.proof', message: `the previous package is about another chain (${before.head.origin})` }];
  }
  const failures: EvidenceFailure[] = [];
  const diff = firstDifferingRange(before.leaves, current.leaves);
  const shrank = current.head.size < before.head.size;
  if (diff || shrank) {
    const where = diff
      ? `first at seq ${diff.fromSeq}${diff.toSeq !== diff.fromSeq ? `–${diff.toSeq}` : ''}: ${diff.what}`
      : `the chain has ${current.head.size} rows, fewer than the ${before.head.size} exported before`;
    failures.push({ code: 'HISTORY_REWRITTEN', file: 'audit_events.csv', message: `the chain does not extend the one exported in ${previous.packageId ?? 'the previous package'}: ${where}` });
  }
  if (args.consistency !== null) {
    try {
      const proof = parseConsistencyText(args.consistency, current.head.origin);
      if (proof.previousPackageId !== previous.packageId || proof.previous.size !== before.head.size || !proof.previous.root.equals(before.head.root)) {
        failures.push({ code: 'HISTORY_REWRITTEN', file: 'consistency.proof', message: "consistency.proof starts from another tree than the previous package's checkpoint" });
      } else if (!extendsPrevious(before.head, current.head, proof.path)) {
        failures.push({ code: 'HISTORY_REWRITTEN', file: 'consistency.proof', message: 'consistency.proof does not prove that this chain extends the previous one' });
      }
    } catch (e) {
      failures.push({ code: 'HISTORY_REWRITTEN', file: 'consistency.proof', message: (e as Error).message });
    }
  }
  return failures;
}

export interface EvidenceFile {
  name: string;
  bytes: Buffer;
  mediaType: string;
}

export interface PreviousOutcome {
  packageId: string | null;
  /** true when this export's chain extends the previous package's (a consistency proof is included) */
  extends: boolean;
  problem: string | null;
}

/**
 * The evidence files of a package (docs/tlog-evidence.md): the minisign public key
 * always; for a whole-chain export the signed checkpoint and its vkey; with a previous
 * package, its checkpoint and, when this chain extends it, the consistency proof. A
 * chain that does not extend the previous one is not an export failure: the package is
 * written without a proof and the outcome names the first differing range.
 */
export async function chainEvidenceFiles(args: {
  leaves: ChainLeafCollector | null;
  origin: string;
  identity: LoadedIdentity;
  previous: PreviousPackage | null;
}): Promise<{ files: EvidenceFile[]; previous: PreviousOutcome | null }> {
  const { identity } = args;
  const files: EvidenceFile[] = [{ name: PACKAGE_FILES.minisignKey, bytes: Buffer.from(minisignPublicKeyFile(createPublicKey(identity.signingKey))), mediaType: 'text/plain' }];
  if (!args.leaves) {
    if (args.previous) throw previousNeedsWholeChain();
    return { files, previous: null };
  }
  const note = packageCheckpoint(args.leaves, args.origin, identity.info.fingerprint, identity.signingKey);
  files.push({ name: PACKAGE_FILES.checkpoint, bytes: Buffer.from(note), mediaType: 'text/plain' });
  files.push({ name: PACKAGE_FILES.vkey, bytes: Buffer.from(`${signerVerifierKey(identity.info.fingerprint, identity.signingKey)}\n`), mediaType: 'text/plain' });
  const old = args.previous;
  if (!old) return { files, previous: null };
  if (old.tlog.head.origin !== args.origin) {
    throw new UserError(`the previous package is about another chain (${old.tlog.head.origin}).`, 'E_INPUT', 'Name a package of the same source, tenant and table.');
  }
  files.push({ name: PACKAGE_FILES.previousCheckpoint, bytes: Buffer.from(old.tlog.note), mediaType: 'text/plain' });
  const diff = firstDifferingRange(old.tlog.leaves, args.leaves);
  const m = Number(old.tlog.head.size);
  if (diff || m > args.leaves.size || m === 0) {
    const problem = diff
      ? `the chain does not extend the one exported in ${old.packageId}: first at seq ${diff.fromSeq}${diff.toSeq !== diff.fromSeq ? `–${diff.toSeq}` : ''}: ${diff.what}`
      : m === 0
        ? `the previous package's chain was empty, so there is nothing to extend`
        : `the chain has ${args.leaves.size} rows, fewer than the ${m} exported in ${old.packageId}`;
    return { files, previous: { packageId: old.packageId, extends: false, problem } };
  }
  const proof = consistencyText({ previousPackageId: old.packageId ?? '', previous: old.tlog.head, path: args.leaves.tree().consistencyProof(m) });
  files.push({ name: PACKAGE_FILES.consistency, bytes: Buffer.from(proof), mediaType: 'text/plain' });
  return { files, previous: { packageId: old.packageId, extends: true, problem: null } };
}

export function previousNeedsWholeChain(): UserError {
  return new UserError('--previous needs an export of the whole chain (no facet filter, no data subject).', 'E_USAGE', 'Drop the filters or the subject, or export without --previous.');
}

/** verify.html as built by `npm run build` (src-renderer/verify-page). */
export function readVerifyPage(): Buffer {
  const path = join(projectRoot(), 'dist', 'verify-page', 'verify.html');
  if (!existsSync(path)) {
    throw new UserError(`the verify page ${path} is missing from this installation.`, 'E_INSTALL_INCOMPLETE', 'Run npm run build (or reinstall AuditDesk), then export again.');
  }
  return readFileSync(path);
}

// A cached chain as transparency-log evidence (docs/tlog-evidence.md):
// the RFC 6962 tree over its rows' stored hashes in seq order, a C2SP checkpoint for it
// signed with the auditor key, and a tlog-proof for one row. Ed25519 is deterministic,
// so the same chain state and key always give the same bytes.
import type { CacheDb } from '../cache/open.js';
import { chainOrigin, tlogProofText } from '../chain/tlog-checkpoint.js';
import { ChainLeafCollector, ChainTreeBuilder, type ChainTree } from '../chain/chain-leaves.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import { UserError } from '../util/errors.js';
import { listCachedChains, type CachedChain } from './adapters.js';
import { auditorVerifierKeyOf, signCheckpointNote, openStoredNote } from './checkpoint-note.js';
import { listCheckpoints } from './checkpoints.js';

export function auditorVerifierKey(key: AuditorKey): string {
  return auditorVerifierKeyOf(key.publicKeyRaw);
}

export interface CachedChainLeaves {
  chain: CachedChain;
  origin: string;
  leaves: ChainLeafCollector;
}

/**
 * The chain's leaves as the verifier's Merkle root counts them: rows in seq order whose
 * stored hash is lowercase hex (a row without one is no leaf; its break is the
 * verifier's to report), up to `uptoSeq` when given.
 */
export function readChainLeaves(db: CacheDb, tenant: string, table?: string, uptoSeq?: bigint): CachedChainLeaves {
  const chains = listCachedChains(db, [tenant]).filter((c) => !table || c.name === table || c.tableName === table);
  if (chains.length === 0) {
    throw new UserError(`the cache holds no chain for tenant ${tenant}${table ? ` in ${table}` : ''}.`, 'E_NOT_FOUND', 'Sync that tenant first, or check the tenant id with auditdesk verify --cache.');
  }
  if (chains.length > 1) {
    throw new UserError(`the cache holds several chains for tenant ${tenant}: ${chains.map((c) => c.name).join(', ')}.`, 'E_USAGE', 'Name one with --table.');
  }
  return chainLeavesOf(db, chains[0]!, uptoSeq);
}

/** readChainLeaves for a chain already picked (sync knows its source and table). */
export function chainLeavesOf(db: CacheDb, chain: CachedChain, uptoSeq?: bigint): CachedChainLeaves {
  const leaves = new ChainLeafCollector();
  for (const [seq, hash] of chainRowHashes(db, chain, uptoSeq)) leaves.push(seq, hash);
  return { chain, origin: chainOrigin(chain.sourceFingerprint, chain.tenant, chain.name), leaves };
}

/**
 * The size and root chainLeavesOf's tree has, without keeping the leaves: a sync's
 * checkpoint needs no proof. Keeping them cost a later sync of 1,000,000 rows ~110 MB
 * (seqs, hashes and every level of the tree, each doubled as it grew) and 7.4 s, against
 * ~12 MB and 3.2 s streamed (docs/sync.md, "Twelfth run").
 */
export function chainTreeOf(db: CacheDb, chain: CachedChain, uptoSeq?: bigint): ChainTree {
  const builder = new ChainTreeBuilder();
  for (const [, hash] of chainRowHashes(db, chain, uptoSeq)) builder.push(hash);
  return { size: BigInt(builder.size), root: builder.root() };
}

function chainRowHashes(db: CacheDb, chain: CachedChain, uptoSeq?: bigint): Iterable<[bigint, string | null]> {
  const rows = db
    .prepare(`SELECT seq, hash FROM records WHERE table_id = ? AND tenant_id = ? AND seq IS NOT NULL ${uptoSeq !== undefined ? 'AND seq <= ?' : ''} ORDER BY seq, rid`)
    .safeIntegers(true)
    .raw(true);
  const params: unknown[] = [chain.tableId, chain.tenant];
  if (uptoSeq !== undefined) params.push(uptoSeq);
  return rows.iterate(...params) as Iterable<[bigint, string | null]>;
}

/** The signed C2SP checkpoint of the chain's first `size` leaves (default: all). */
export function signedCheckpoint(chain: CachedChainLeaves, key: AuditorKey, size = chain.leaves.size): string {
  return signCheckpointNote(key, chain.origin, { size: BigInt(size), root: chain.leaves.tree().root(size) });
}

/** A signed-note checkpoint a proof can point at, and where it came from. */
export interface ProofCheckpoint {
  note: string;
  size: number;
  /** the vkey that opens the note */
  vkey: string;
  /** e.g. "checkpoint #12 (sync, 2026-…)", or "a checkpoint signed now" */
  label: string;
}

/**
 * The newest checkpoint recorded in the cache (at a sync or a verification) that covers
 * leaf `index` and whose root the cached chain still has: a proof against it shows the
 * row was in the chain as the auditor recorded it then, not merely as the cache holds it
 * today. Checkpoints whose signature fails, or whose tree the cache no longer matches,
 * are passed over.
 */
export function recordedCheckpointCovering(db: CacheDb, chain: CachedChainLeaves, index: number, auditorKey: string): ProofCheckpoint | null {
  const recorded = listCheckpoints(db, { tableName: chain.chain.name, tenantId: chain.chain.tenant, sourceFingerprint: chain.chain.sourceFingerprint }, auditorKey);
  for (const c of recorded.sort((a, b) => b.checkpointId - a.checkpointId)) {
    if (!c.note || !c.publicKey || c.signatureStatus !== 'valid') continue;
    const opened = openStoredNote({ ...c, note: c.note, publicKey: c.publicKey });
    if (!opened.ok || opened.head.origin !== chain.origin) continue;
    const size = Number(opened.head.size);
    if (size <= index || size > chain.leaves.size || !opened.head.root.equals(chain.leaves.tree().root(size))) continue;
    return { note: c.note, size, vkey: auditorVerifierKeyOf(c.publicKey), label: `checkpoint #${c.checkpointId} (${c.origin}, ${c.createdAt})` };
  }
  return null;
}

/** A checkpoint of the whole cached chain signed now, when none recorded covers the row. */
export function checkpointSignedNow(chain: CachedChainLeaves, key: AuditorKey): ProofCheckpoint {
  return { note: signedCheckpoint(chain, key), size: chain.leaves.size, vkey: auditorVerifierKey(key), label: 'a checkpoint of the cached chain signed now' };
}

/** The leaf index of the row at `seq`, or a one-line error naming the way out. */
export function leafIndexOf(chain: CachedChainLeaves, seq: bigint): number {
  const index = chain.leaves.seqs.indexOf(seq);
  if (index < 0) {
    throw new UserError(
      `tenant ${chain.chain.tenant} has no cached row at seq ${seq} with a well-formed hash.`,
      'E_NOT_FOUND',
      'Pick a seq the chain holds (see the timeline or auditdesk verify --cache).',
    );
  }
  return index;
}

/** A c2sp.org/tlog-proof@v1 file showing that the row at `seq` is in the signed checkpoint. */
export function proveRow(chain: CachedChainLeaves, checkpoint: ProofCheckpoint, seq: bigint): { proof: string; index: number; hash: string } {
  const { leaves } = chain;
  const index = leafIndexOf(chain, seq);
  const extra = Buffer.from(JSON.stringify({ seq: seq.toString(), table: chain.chain.name, tenant: chain.chain.tenant }), 'utf8');
  const proof = tlogProofText({ extra, index: BigInt(index), path: leaves.tree().inclusionProof(index, checkpoint.size), checkpoint: checkpoint.note });
  return { proof, index, hash: leaves.storedHash(index) };
}

// A cached chain as transparency-log evidence (docs/tlog-evidence.md):
// the RFC 6962 tree over its rows' stored hashes in seq order, a C2SP checkpoint for it
// signed with the auditor key, and a tlog-proof for one row. Ed25519 is deterministic,
// so the same chain state and key always give the same bytes.
import type { CacheDb } from '../cache/open.js';
import { signNote, verifierKeyText } from '../chain/signed-note.js';
import { chainOrigin, checkpointText, tlogProofText } from '../chain/tlog-checkpoint.js';
import { ChainLeafCollector } from '../chain/chain-leaves.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import { UserError } from '../util/errors.js';
import { listCachedChains, type CachedChain } from './adapters.js';

/** Key names carry the key id so two auditors' keys never share a name. */
export function auditorNoteName(key: AuditorKey): string {
  return `auditdesk.local/auditor/${key.keyId}`;
}

export function auditorVerifierKey(key: AuditorKey): string {
  return verifierKeyText(auditorNoteName(key), Buffer.from(key.publicKeyRaw, 'base64'));
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
  const chain = chains[0]!;
  const rows = db
    .prepare(`SELECT seq, hash FROM records WHERE table_id = ? AND tenant_id = ? AND seq IS NOT NULL ${uptoSeq !== undefined ? 'AND seq <= ?' : ''} ORDER BY seq`)
    .safeIntegers(true)
    .raw(true);
  const params: unknown[] = [chain.tableId, tenant];
  if (uptoSeq !== undefined) params.push(uptoSeq);
  const leaves = new ChainLeafCollector();
  for (const [seq, hash] of rows.iterate(...params) as Iterable<[bigint, string | null]>) leaves.push(seq, hash);
  return { chain, origin: chainOrigin(chain.sourceFingerprint, tenant, chain.name), leaves };
}

/** The signed C2SP checkpoint of the chain's first `size` leaves (default: all). */
export function signedCheckpoint(chain: CachedChainLeaves, key: AuditorKey, size = chain.leaves.size): string {
  return signNote(checkpointText({ origin: chain.origin, size: BigInt(size), root: chain.leaves.tree().root(size) }), auditorNoteName(key), key.privateKey);
}

/** A c2sp.org/tlog-proof@v1 file showing that the row at `seq` is in the signed checkpoint. */
export function proveRow(chain: CachedChainLeaves, key: AuditorKey, seq: bigint): { proof: string; index: number; hash: string } {
  const { leaves } = chain;
  const index = leaves.seqs.indexOf(seq);
  if (index < 0) {
    throw new UserError(`tenant ${chain.chain.tenant} has no cached row at seq ${seq} with a well-formed hash.`, 'E_NOT_FOUND', 'Pick a seq the chain holds (see the timeline or auditdesk verify --cache).');
  }
  const extra = Buffer.from(JSON.stringify({ seq: seq.toString(), table: chain.chain.name, tenant: chain.chain.tenant }), 'utf8');
  const proof = tlogProofText({ extra, index: BigInt(index), path: leaves.tree().inclusionProof(index), checkpoint: signedCheckpoint(chain, key) });
  return { proof, index, hash: leaves.storedHash(index) };
}

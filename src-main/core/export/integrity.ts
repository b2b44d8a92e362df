// The integrity result a package carries (verification.json) and that
// verify-package recomputes from audit_events.csv alone, so both sides run this
// one module over the same rows and the same inputs recorded in the signed
// manifest (profile, first seq, checkpoints) and must agree exactly.
//
// An export of the whole period goes through the verification engine (the one
// behind `auditdesk verify` and the Integrity screen): every break classified,
// checked against the signed checkpoints the cache holds, so a rewritten tail shows.
// A facet-filtered export holds a subset of the chain, which the engine would read
// as deletions; it is checked row by row instead (chain-check.ts).
import { ChainVerifier } from '../verify/chain-verifier.js';
import { chainReportJson, type ChainReportJson } from '../verify/report.js';
import { chainShape, payloadAtSeq, toChainRow, type ChainShape } from '../verify/rows.js';
import type { Anchor, ChainResult } from '../verify/types.js';
import { chainLimits, type ChainLimitsJson } from '../verify/limits.js';
import type { MappedColumn } from '../cache/record-mapping.js';
import type { ColumnType } from '../chain/canonical.js';
import type { ChainProfile } from '../chain/profile.js';
import { ChainLeafCollector } from '../chain/chain-leaves.js';
import { ChainChecker, type SubsetBreakKind } from './chain-check.js';
import { seqJsonFromText } from '../chain/seq.js';
import type { DriftSummary } from './changes.js';

/**
 * The chain entry of verification.json. Packages written before limits existed lack
 * verdict, anchor and limits (hence optional); `intact` keeps its meaning (no break).
 */
export type IntegrityEntry = ChainReportJson & Partial<ChainLimitsJson>;

/** A checkpoint as the manifest records it (the verifier re-runs with exactly these). */
export interface ManifestAnchor {
  label: string;
  origin: 'sync' | 'verify' | 'external';
  checkpointId: number | null;
  lastSeq: string;
  headHash: string;
  createdAt: string | null;
  signature: 'valid' | 'invalid' | 'unsigned';
}

export interface IntegrityInputs {
  /** Source columns; `field` (our cache name, as the manifest records it) tells the engine which is the id and the time. */
  columns: readonly (ColumnType & { field?: string | null })[];
  profile: ChainProfile;
  tenant: string;
  table: string;
  /** Every event of the period (engine) or a filtered subset (row-by-row check). */
  wholeChain: boolean;
  /** First seq the chain is expected to start at: 1 when the export has no start bound. */
  startSeq: string | null;
  anchors: ManifestAnchor[];
}

const SUBSET_KIND: Record<SubsetBreakKind, ChainReportJson['breaks'][number]['kind']> = {
  hash_mismatch: 'modified',
  link_mismatch: 'rewritten',
  gap: 'deleted',
  bad_genesis: 'modified',
  unparseable: 'malformed',
};

export class PackageIntegrity {
  private engine: ChainVerifier | null = null;
  private subset: ChainChecker | null = null;
  private readonly shape: ChainShape;
  private firstSeq: string | null = null;
  private nextPayload: string | undefined;
  /** The shape with its payload function answering from push()'s argument. */
  private readonly givenPayload: ChainShape;
  /** Whole-chain exports: the rows as leaves of the tlog tree (docs/tlog-evidence.md); null for subsets. */
  readonly leaves: ChainLeafCollector | null;

  constructor(private readonly inputs: IntegrityInputs) {
    const cols: MappedColumn[] = inputs.columns.map((c) => ({ name: c.name, type: c.type, field: c.field ?? null }));
    this.shape = chainShape(cols, inputs.profile, inputs.table);
    this.givenPayload = { ...this.shape, payload: () => this.nextPayload! };
    if (!inputs.wholeChain) {
      this.subset = new ChainChecker(inputs.columns, inputs.profile, { tenant: inputs.tenant, table: inputs.table, contiguous: false });
    }
    this.leaves = inputs.wholeChain ? new ChainLeafCollector() : null;
  }

  /** The seq the engine started from (the first row's, when the export has a start bound). */
  get startSeq(): string | null {
    return this.inputs.startSeq ?? this.firstSeq;
  }

  /**
   * Feeds one row. `payload`, when given, must be the row's payload under the profile
   * (the export computes it together with the row digest, see row-digest.ts).
   */
  push(values: readonly (string | null)[], payload?: string): void {
    if (this.subset) {
      this.subset.push(values);
      return;
    }
    this.nextPayload = payload;
    const row = toChainRow(values, payload === undefined ? this.shape : this.givenPayload);
    if (row.seq !== null) this.leaves!.push(row.seq, row.hash);
    if (!this.engine) {
      this.firstSeq = row.seq?.toString() ?? '1';
      const start = BigInt(this.inputs.startSeq ?? this.firstSeq);
      this.engine = new ChainVerifier({
        table: this.inputs.table,
        tenant: this.inputs.tenant,
        profile: this.inputs.profile,
        mode: 'cache',
        startSeq: start,
        payloadAtSeq: payloadAtSeq(this.shape),
        // An anchor from outside the cache (an earlier package) records rows that were
        // handed over: a package ending before it lacks them (TRUNCATED), even though a
        // cache's chain ending early is otherwise only out of date.
        anchors: this.inputs.anchors.map((a): Anchor => ({ ...a, lastSeq: BigInt(a.lastSeq), mustReach: a.origin === 'external' })),
        // The package's Merkle root is over row digests (files[].merkleRoot, equal to the
        // sync seal); a second root over stored hashes would cost a third of the run.
        merkle: false,
      });
    }
    this.engine.push(row);
  }

  finish(): IntegrityEntry {
    if (this.subset) {
      const r = this.subset.result;
      const broken = new Set(r.breaks.map((b) => b.seq)).size;
      return this.withLimits({
        tenant: r.tenant,
        table: r.table,
        rows: r.rows,
        intactRows: r.rows - broken,
        intact: r.intact,
        firstSeq: seqJsonFromText(r.first?.seq ?? null),
        lastSeq: seqJsonFromText(r.head?.seq ?? null),
        headHash: r.head?.hash ?? null,
        merkleRoot: null,
        breaks: r.breaks.map((b) => ({ seq: seqJsonFromText(b.seq), kind: SUBSET_KIND[b.kind], id: b.id, expected: b.expected, found: b.found, time: null, explanation: b.explanation })),
        breaksOmitted: 0,
        checkpoints: [],
        cacheComparison: null,
      });
    }
    if (!this.engine) {
      return this.withLimits({
        tenant: this.inputs.tenant,
        table: this.inputs.table,
        rows: 0,
        intactRows: 0,
        intact: true,
        firstSeq: null,
        lastSeq: null,
        headHash: null,
        merkleRoot: null,
        breaks: [],
        breaksOmitted: 0,
        checkpoints: [],
        cacheComparison: null,
      });
    }
    const result = this.engine.finish();
    return this.withLimits(chainReportJson(result), result);
  }

  /**
   * The entry with its verdict, anchor and limits (verify/limits.ts). The row-by-row
   * check of a filtered subset compares no checkpoint and collects no per-row limits.
   */
  private withLimits(entry: ChainReportJson, result?: ChainResult): IntegrityEntry {
    const base: ChainResult = result ?? {
      table: entry.table,
      tenant: entry.tenant,
      rows: entry.rows,
      intactRows: entry.intactRows,
      intact: entry.intact,
      firstSeq: null,
      lastSeq: null,
      headHash: entry.headHash,
      merkleRoot: null,
      breaks: [],
      breaksOmitted: 0,
      anchors: [],
      reference: null,
      unprotected: [],
    };
    return { ...entry, ...chainLimits(base, { profileName: this.inputs.profile.name }) };
  }
}

/**
 * verification.json's entry as the recomputed chain must equal it: it records the
 * Merkle root of audit_events.csv with the chain, except in packages written before
 * issue 19, where it was null (those stay verifiable).
 */
export function recordedEntry(recorded: IntegrityEntry, computed: IntegrityEntry): IntegrityEntry {
  return recorded.merkleRoot === null ? { ...recorded, merkleRoot: computed.merkleRoot } : recorded;
}

/** verification.json's entry against the chain recomputed from audit_events.csv (verify-package and the verify page). */
export function sameEntry(recorded: IntegrityEntry, recomputed: IntegrityEntry): boolean {
  // A package written before chains carried verdict, anchor and limits records none of
  // them: compare what it does record (the signed manifest fixes verification.json).
  const b = 'limits' in recorded ? recomputed : withoutLimits(recomputed);
  const a = recorded;
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

function withoutLimits(e: IntegrityEntry): IntegrityEntry {
  const { verdict: _v, verdictExplanation: _e, anchor: _a, limits: _l, ...rest } = e;
  return rest;
}

export const VERIFICATION_FORMAT = 'auditdesk-package-verification/1';

/** verification.json: the integrity report for the exported range (same per-chain shape as `auditdesk verify`). */
export interface VerificationFile {
  format: typeof VERIFICATION_FORMAT;
  profile: string;
  generatedAt: string;
  scope: 'whole-period' | 'filtered';
  tenants: IntegrityEntry[];
  /** drift findings of the exported rows (issue 19); the same object as the manifest's `drift` */
  drift: DriftSummary;
}

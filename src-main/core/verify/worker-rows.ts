// The compact form in which read workers hand rows to the engine's thread: only what
// linking needs (seq and hashes), column-wise, plus a reference (a cache rid, or a
// line's place in a COPY chunk) from which the engine's thread rebuilds the rest of a
// row — id, time, payload, values — in the rare case a break needs them. Every string
// left out here is one the worker need not send and the engine's thread need not
// receive: on two cores that thread shares a core with the workers.
import { chainHash } from '../chain/hash.js';
import type { UnprotectedKind } from '../chain/exact-json.js';
import type { ChainProfile } from '../chain/profile.js';
import type { LinkRow } from './rows.js';
import type { ChainRow } from './types.js';

/**
 * Rows of one part (a seq range, a COPY chunk) in order. prev[i] is undefined when
 * the row's previous hash equals the hash of row i-1 of the same batch, computed[i]
 * when the recomputed hash equals the stored one, seqText[i] when it is the seq's
 * own text: the usual case sends none of them.
 */
export interface RowBatch {
  type: 'batch';
  part: number;
  last: boolean;
  /** `refWidth` numbers per row. */
  ref: Float64Array<ArrayBuffer>;
  seq: (bigint | null)[];
  seqText: (string | null | undefined)[];
  hash: (string | null)[];
  prev: (string | null | undefined)[];
  computed: (string | null | undefined)[];
  /** Rows (index in the batch) with values the profile cannot protect: rare, so listed apart. */
  unprotected: { i: number; kinds: UnprotectedKind[] }[];
  /** The answer to a digest check of a range (read-worker.ts): its first row changed in the cache, or null. */
  damaged?: string | null;
}

/**
 * An integer exactly as BigInt#toString prints it (no sign but '-', no leading zero, no
 * "-0"): a seq written so is its own text and need not be sent (a pattern test is several
 * times cheaper than printing the bigint to compare).
 */
const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d*)$/;

export class RowBatchBuilder {
  private b: RowBatch;
  private n = 0;

  constructor(
    private readonly part: number,
    private readonly capacity: number,
    private readonly refWidth: number,
    private readonly profile: ChainProfile,
  ) {
    this.b = this.empty();
  }

  private empty(): RowBatch {
    return { type: 'batch', part: this.part, last: false, ref: new Float64Array(this.capacity * this.refWidth), seq: [], seqText: [], hash: [], prev: [], computed: [], unprotected: [] };
  }

  /** Adds a row (its id and time are not sent: rebuilt from the reference when needed); returns a full batch to send, or null. */
  push(row: LinkRow, ref0: number, ref1 = 0): RowBatch | null {
    const b = this.b;
    const n = this.n;
    const computed = row.prevHash !== null ? chainHash(row.prevHash, row.payload, this.profile) : null;
    b.ref[n * this.refWidth] = ref0;
    if (this.refWidth > 1) b.ref[n * this.refWidth + 1] = ref1;
    b.seq.push(row.seq);
    b.seqText.push(row.seq !== null && row.seqText !== null && CANONICAL_INTEGER.test(row.seqText) ? undefined : row.seqText);
    b.hash.push(row.hash);
    b.prev.push(n > 0 && row.prevHash !== null && row.prevHash === b.hash[n - 1] ? undefined : row.prevHash);
    b.computed.push(computed !== null && computed === row.hash ? undefined : computed);
    if (row.unprotected) b.unprotected.push({ i: n, kinds: row.unprotected });
    this.n = n + 1;
    if (this.n < this.capacity) return null;
    const full = b;
    this.b = this.empty();
    this.n = 0;
    return full;
  }

  /** The rest of the part (possibly no row), marked last. */
  finish(): RowBatch {
    const b = this.b;
    b.last = true;
    b.ref = b.ref.slice(0, this.n * this.refWidth);
    this.b = this.empty();
    this.n = 0;
    return b;
  }
}

/** A row as a worker described it; id, time, payload and values are rebuilt on demand from its reference. */
class WorkerRow implements ChainRow {
  private full: ChainRow | null = null;
  constructor(
    readonly seq: bigint | null,
    /** undefined: the seq's own text */
    private readonly seqTextSent: string | null | undefined,
    readonly prevHash: string | null,
    readonly hash: string | null,
    readonly computed: string | null,
    private readonly ref0: number,
    private readonly ref1: number,
    private readonly rebuild: (ref0: number, ref1: number) => ChainRow,
    readonly unprotected: readonly UnprotectedKind[] | undefined,
  ) {}

  get seqText(): string | null {
    return this.seqTextSent === undefined ? this.seq!.toString() : this.seqTextSent;
  }

  private get row(): ChainRow {
    return (this.full ??= this.rebuild(this.ref0, this.ref1));
  }

  get id(): string {
    return this.row.id;
  }

  get time(): string | null {
    return this.row.time;
  }

  get payload(): string {
    return this.row.payload;
  }

  get values(): readonly (string | null)[] | undefined {
    return this.row.values;
  }
}

/** Feeds a batch's rows to `onRow` in order; returns how many. */
export function feedBatch(b: RowBatch, refWidth: number, rebuild: (ref0: number, ref1: number) => ChainRow, onRow: (row: ChainRow) => void): number {
  const size = b.hash.length;
  let prevHash: string | null = null;
  const lost = new Map(b.unprotected.map((u) => [u.i, u.kinds]));
  for (let i = 0; i < size; i++) {
    const hash = b.hash[i]!;
    const p = b.prev[i];
    const c = b.computed[i];
    onRow(
      new WorkerRow(b.seq[i]!, b.seqText[i], p === undefined ? prevHash : p, hash, c === undefined ? hash : c, b.ref[i * refWidth]!, refWidth > 1 ? b.ref[i * refWidth + 1]! : 0, rebuild, lost.get(i)),
    );
    prevHash = hash;
  }
  return size;
}

// The compact form in which read workers hand rows to the engine's thread: only what
// linking and classifying need (seq, id, time, hashes), column-wise, plus a reference
// (a cache rid, or a line's place in a COPY chunk) from which the engine's thread
// rebuilds a row's payload and values in the rare case a break needs them.
import { chainHash } from '../chain/hash.js';
import type { ChainProfile } from '../chain/profile.js';
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
  id: string[];
  time: (string | null)[];
  hash: (string | null)[];
  prev: (string | null | undefined)[];
  computed: (string | null | undefined)[];
}

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
    return { type: 'batch', part: this.part, last: false, ref: new Float64Array(this.capacity * this.refWidth), seq: [], seqText: [], id: [], time: [], hash: [], prev: [], computed: [] };
  }

  /** Adds a row; returns a full batch to send, or null. */
  push(row: ChainRow, ref0: number, ref1 = 0): RowBatch | null {
    const b = this.b;
    const n = this.n;
    const computed = row.prevHash !== null ? chainHash(row.prevHash, row.payload, this.profile) : null;
    b.ref[n * this.refWidth] = ref0;
    if (this.refWidth > 1) b.ref[n * this.refWidth + 1] = ref1;
    b.seq.push(row.seq);
    b.seqText.push(row.seq !== null && row.seqText === row.seq.toString() ? undefined : row.seqText ?? null);
    b.id.push(row.id);
    b.time.push(row.time);
    b.hash.push(row.hash);
    b.prev.push(n > 0 && row.prevHash !== null && row.prevHash === b.hash[n - 1] ? undefined : row.prevHash);
    b.computed.push(computed !== null && computed === row.hash ? undefined : computed);
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

/** A row as a worker described it; payload and values are rebuilt on demand from its reference. */
class WorkerRow implements ChainRow {
  private full: ChainRow | null = null;
  constructor(
    readonly seq: bigint | null,
    readonly seqText: string | null,
    readonly id: string,
    readonly time: string | null,
    readonly prevHash: string | null,
    readonly hash: string | null,
    readonly computed: string | null,
    private readonly ref0: number,
    private readonly ref1: number,
    private readonly rebuild: (ref0: number, ref1: number) => ChainRow,
  ) {}

  get payload(): string {
    return (this.full ??= this.rebuild(this.ref0, this.ref1)).payload;
  }

  get values(): readonly (string | null)[] | undefined {
    return (this.full ??= this.rebuild(this.ref0, this.ref1)).values;
  }
}

/** Feeds a batch's rows to `onRow` in order; returns how many. */
export function feedBatch(b: RowBatch, refWidth: number, rebuild: (ref0: number, ref1: number) => ChainRow, onRow: (row: ChainRow) => void): number {
  const size = b.id.length;
  let prevHash: string | null = null;
  for (let i = 0; i < size; i++) {
    const hash = b.hash[i]!;
    const p = b.prev[i];
    const c = b.computed[i];
    const seq = b.seq[i]!;
    const st = b.seqText[i];
    onRow(
      new WorkerRow(
        seq,
        st === undefined ? seq!.toString() : st,
        b.id[i]!,
        b.time[i]!,
        p === undefined ? prevHash : p,
        hash,
        c === undefined ? hash : c,
        b.ref[i * refWidth]!,
        refWidth > 1 ? b.ref[i * refWidth + 1]! : 0,
        rebuild,
      ),
    );
    prevHash = hash;
  }
  return size;
}

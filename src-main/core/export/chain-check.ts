// Chain check over the rows of one tenant's events as they go into (or come out
// of) audit_events.csv. The export writes its result to verification.json and
// verify-package recomputes it from the CSV alone, so both sides use this one
// function and must agree break for break.
//
// A filtered export (event-type, severity, text… facets) holds a subset of the
// chain: every row is still checked against its own prev_hash, and links are
// checked wherever two exported rows have consecutive seq. Missing seq numbers are
// breaks only when the export claims to be contiguous (no facet filter).
import { chainHash, genesisOf, makePayloadBuilder } from '../chain/hash.js';
import type { ColumnType } from '../chain/canonical.js';
import type { ChainProfile } from '../chain/profile.js';

export type SubsetBreakKind = 'hash_mismatch' | 'link_mismatch' | 'gap' | 'bad_genesis' | 'unparseable';

export interface SubsetBreak {
  seq: string;
  kind: SubsetBreakKind;
  id: string | null;
  expected: string | null;
  found: string | null;
  explanation: string;
}

export interface ChainResult {
  tenant: string;
  table: string;
  rows: number;
  intact: boolean;
  breaks: SubsetBreak[];
  first: { seq: string; prevHash: string | null } | null;
  head: { seq: string; hash: string | null } | null;
}

export class ChainChecker {
  private readonly payload: (values: readonly (string | null)[]) => string;
  private readonly iSeq: number;
  private readonly iHash: number;
  private readonly iPrev: number;
  private readonly iId: number;
  private prev: { seq: bigint; hash: string | null } | null = null;
  private readonly genesis: string;
  readonly result: ChainResult;

  constructor(
    columns: readonly ColumnType[],
    private readonly profile: ChainProfile,
    meta: { tenant: string; table: string; contiguous: boolean },
    /** Stop listing breaks after this many (they are still counted in intact=false). */
    private readonly maxBreaks = 10_000,
  ) {
    this.payload = makePayloadBuilder(columns, profile);
    const idx = (name: string) => {
      const i = columns.findIndex((c) => c.name === name);
      if (i < 0) throw new Error(`events table lacks the chain column "${name}" (profile ${profile.name})`);
      return i;
    };
    this.iSeq = idx(profile.orderColumn);
    this.iHash = idx(profile.hashColumn);
    this.iPrev = idx(profile.prevHashColumn);
    this.iId = columns.findIndex((c) => c.name === 'id');
    this.genesis = genesisOf(profile);
    this.contiguous = meta.contiguous;
    this.result = { tenant: meta.tenant, table: meta.table, rows: 0, intact: true, breaks: [], first: null, head: null };
  }

  private readonly contiguous: boolean;

  private add(b: SubsetBreak): void {
    this.result.intact = false;
    if (this.result.breaks.length < this.maxBreaks) this.result.breaks.push(b);
  }

  push(values: readonly (string | null)[]): void {
    const r = this.result;
    r.rows++;
    const seqText = values[this.iSeq] ?? '';
    const id = this.iId >= 0 ? (values[this.iId] ?? null) : null;
    const hash = values[this.iHash] ?? null;
    const prevHash = values[this.iPrev] ?? null;
    let seq: bigint;
    try {
      seq = BigInt(seqText);
    } catch {
      this.add({ seq: seqText, kind: 'unparseable', id, expected: null, found: seqText, explanation: `seq "${seqText}" is not an integer` });
      return;
    }
    if (!r.first) r.first = { seq: seq.toString(), prevHash };

    let expected: string | null = null;
    try {
      expected = prevHash === null ? null : chainHash(prevHash, this.payload(values), this.profile);
    } catch (e) {
      this.add({ seq: seq.toString(), kind: 'unparseable', id, expected: null, found: hash, explanation: `row cannot be canonicalised: ${(e as Error).message}` });
    }
    if (expected !== null && expected !== hash) {
      this.add({
        seq: seq.toString(),
        kind: 'hash_mismatch',
        id,
        expected,
        found: hash,
        explanation: `row ${seq} was changed after it was hashed: its stored hash does not match its contents`,
      });
    }

    if (seq === 1n && prevHash !== this.genesis) {
      this.add({ seq: '1', kind: 'bad_genesis', id, expected: this.genesis, found: prevHash, explanation: 'the first row of the chain does not start from the genesis value' });
    }
    const before = this.prev;
    if (before) {
      if (seq === before.seq + 1n) {
        if (prevHash !== before.hash) {
          this.add({
            seq: seq.toString(),
            kind: 'link_mismatch',
            id,
            expected: before.hash,
            found: prevHash,
            explanation: `row ${seq}'s prev_hash is not the hash of row ${before.seq}: the chain was cut or rewritten here`,
          });
        }
      } else if (seq > before.seq + 1n && this.contiguous) {
        const missingFrom = before.seq + 1n;
        const missingTo = seq - 1n;
        this.add({
          seq: seq.toString(),
          kind: 'gap',
          id,
          expected: missingFrom.toString(),
          found: seq.toString(),
          explanation: missingFrom === missingTo ? `row ${missingFrom} is missing (deleted?)` : `rows ${missingFrom}–${missingTo} are missing (deleted?)`,
        });
      } else if (seq <= before.seq) {
        this.add({ seq: seq.toString(), kind: 'unparseable', id, expected: `> ${before.seq}`, found: seq.toString(), explanation: `seq ${seq} repeats or goes backwards` });
      }
    }
    this.prev = { seq, hash };
    r.head = { seq: seq.toString(), hash };
  }
}

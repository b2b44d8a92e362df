// Row digests of a bulk fill, computed in a worker thread from the raw COPY bytes.
// The main thread parses the same bytes for the cache rows; this thread parses them
// again (CopyTextParser is cheap, ~1.3 s per 1M rows) and hashes every row
// (JCS + SHA-256, ~8 s per 1M rows), sending back only the digests; for a first fill of
// events it also builds the seal's Merkle tree over them (~3.5 s per 1M rows). Handing parsed
// rows to a worker instead costs ~3.6 s of structured clone per 1M rows; raw bytes
// move as one transferred buffer per chunk.
import { workerData } from 'node:worker_threads';
import type { ColumnType } from '../chain/canonical.js';
import { MerkleBuilder } from '../chain/merkle.js';
import { makeDualEncoder, makeRowDigester, type DualEncoder } from '../chain/row-digest.js';
import { CopyTextParser, type Row } from '../source/copy-text.js';
import { serveCalls } from '../util/worker-rpc.js';
import { linkExtraOf, linkShape, type ChainSpec, type LinkExtra } from '../verify/fetched-chain.js';
import type { ChainShape } from '../verify/rows.js';

export type DigestCall =
  /** Answers once the worker runs (the sync digests in its own thread when it cannot start). */
  | { op: 'hello' }
  /**
   * Starts a new COPY stream of a table with these columns; `merkle`: also build the
   * seal's Merkle tree; `chain`: also compute each row's link for the sync's verdict
   * (verify/fetched-chain.ts), so the payload and chain hash are built here too.
   */
  | { op: 'begin'; columns: ColumnType[]; merkle: boolean; chain?: ChainSpec }
  /** The next raw chunk of the stream: answered with the digests of the rows it completed. */
  | { op: 'bytes'; bytes: Uint8Array }
  /** The stream ended: the digests of what the parser still held, and the tree's root when one was asked for. */
  | { op: 'end' };

export interface DigestAnswer {
  digests: string[];
  /** By the row's place in `digests`: the links that are not the usual one (begin with `chain`). */
  links?: Record<number, LinkExtra>;
  root?: string;
  count?: number;
}

if ((workerData as { digestWorker?: boolean } | undefined)?.digestWorker) {
  let parser = new CopyTextParser();
  let digestOf: ((values: readonly (string | null)[]) => string) | null = null;
  let merkle: MerkleBuilder | null = null;
  let link: { shape: ChainShape; encode: (values: readonly (string | null)[]) => DualEncoder } | null = null;
  const answerFor = (rows: Row[]): DigestAnswer => {
    const digests = new Array<string>(rows.length);
    const links: Record<number, LinkExtra> = {};
    for (let i = 0; i < rows.length; i++) {
      let d: string;
      if (link) {
        // Each value is canonicalised once, for the row digest and the chain payload alike.
        const both = link.encode(rows[i]!);
        d = both.digest;
        const extra = linkExtraOf(rows[i]!, link.shape, both.payload);
        if (extra) links[i] = extra;
      } else {
        d = digestOf!(rows[i]!);
      }
      digests[i] = d;
      merkle?.push(d);
    }
    return link ? { digests, links } : { digests };
  };
  serveCalls<DigestCall, DigestAnswer>(async (call) => {
    const rows: Row[] = [];
    switch (call.op) {
      case 'hello':
        return { digests: [] };
      case 'begin':
        parser = new CopyTextParser();
        digestOf = makeRowDigester(call.columns);
        merkle = call.merkle ? new MerkleBuilder() : null;
        link = null;
        if (call.chain) {
          let shape: ChainShape | null = null;
          try {
            shape = linkShape(call.chain);
          } catch {
            // answered without links: the sync's thread links the rows itself
          }
          if (shape) link = { shape, encode: makeDualEncoder(call.columns, shape.profile) };
        }
        return { digests: [] };
      case 'bytes':
        parser.push(Buffer.from(call.bytes.buffer, call.bytes.byteOffset, call.bytes.byteLength), rows);
        return answerFor(rows);
      case 'end': {
        parser.end(rows);
        const answer = answerFor(rows);
        return merkle ? { ...answer, root: merkle.root(), count: merkle.count } : answer;
      }
    }
  });
}

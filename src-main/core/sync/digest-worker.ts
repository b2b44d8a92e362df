// Row digests of a bulk fill, computed in a worker thread from the raw COPY bytes.
// The main thread parses the same bytes for the cache rows; this thread parses them
// again (CopyTextParser is cheap, ~1.3 s per 1M rows) and hashes every row
// (JCS + SHA-256, ~8 s per 1M rows), sending back only the digests; for a first fill of
// events it also builds the seal's Merkle tree over them (~3.5 s per 1M rows). Handing parsed
// rows to a worker instead costs ~3.6 s of structured clone per 1M rows; raw bytes
// move as one transferred buffer per chunk.
import { parentPort, workerData } from 'node:worker_threads';
import type { ColumnType } from '../chain/canonical.js';
import { MerkleBuilder } from '../chain/merkle.js';
import { makeRowDigester } from '../chain/row-digest.js';
import { CopyTextParser, type Row } from '../source/copy-stream.js';

export type ToDigestWorker =
  /** Starts a new COPY stream of a table with these columns; `merkle`: also build the seal's Merkle tree. */
  | { type: 'begin'; columns: ColumnType[]; merkle: boolean }
  | { type: 'bytes'; bytes: Uint8Array }
  /** The stream ended: digest what the parser still holds. */
  | { type: 'end' }
  | { type: 'close' };

export type FromDigestWorker =
  /** `root` and `count` come with the stream's last digests, when a tree was asked for. */
  { type: 'digests'; digests: string[]; root?: string; count?: number } | { type: 'failed'; message: string } | { type: 'ready' };

if (parentPort && (workerData as { digestWorker?: boolean } | undefined)?.digestWorker) {
  const port = parentPort;
  let parser = new CopyTextParser();
  let digestOf: ((values: readonly (string | null)[]) => string) | null = null;
  let merkle: MerkleBuilder | null = null;
  const send = (rows: Row[], end: boolean) => {
    const digests = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const d = digestOf!(rows[i]!);
      digests[i] = d;
      merkle?.push(d);
    }
    const tree = end && merkle ? { root: merkle.root(), count: merkle.count } : {};
    port.postMessage({ type: 'digests', digests, ...tree } satisfies FromDigestWorker);
  };
  port.on('message', (m: ToDigestWorker) => {
    try {
      if (m.type === 'close') return port.close();
      if (m.type === 'begin') {
        parser = new CopyTextParser();
        digestOf = makeRowDigester(m.columns);
        merkle = m.merkle ? new MerkleBuilder() : null;
        return;
      }
      const rows: Row[] = [];
      if (m.type === 'bytes') parser.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength), rows);
      else parser.end(rows);
      if (rows.length || m.type === 'end') send(rows, m.type === 'end');
    } catch (e) {
      port.postMessage({ type: 'failed', message: (e as Error).message } satisfies FromDigestWorker);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromDigestWorker);
}

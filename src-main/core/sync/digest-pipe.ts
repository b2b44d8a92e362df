// The main-thread side of digest-worker.ts: hands each raw COPY chunk to the worker
// (transferred, not cloned) and gives back the digests in row order.
import type { ColumnType } from '../chain/canonical.js';
import type { DigestAnswer, DigestCall } from './digest-worker.js';
import { RpcWorker } from '../util/worker-rpc.js';
import type { ChainSpec, LinkExtra } from '../verify/fetched-chain.js';

/** The digests of a batch's rows, and their links when the stream began with a chain. */
export interface DigestTake {
  digests: string[];
  links: (LinkExtra | undefined)[] | null;
}

export class DigestPipe {
  private queue: string[] = [];
  /** Beside `queue`, row for row, while the stream computes links. */
  private linkQueue: (LinkExtra | undefined)[] | null = null;
  private head = 0;
  /** Reservations in stream order: each gets the next n digests. */
  private waiters: { n: number; resolve: (d: DigestTake) => void; reject: (e: Error) => void }[] = [];
  private dead: Error | null = null;
  private tree: { resolve: (t: { root: string; count: number }) => void; reject: (e: Error) => void; promise: Promise<{ root: string; count: number }> } | null = null;

  /** A started worker, or null when it cannot start (the sync then digests in its own thread). */
  static async start(): Promise<DigestPipe | null> {
    const worker = await RpcWorker.startAnswering<DigestCall, DigestAnswer>(
      new URL('./digest-worker.js', import.meta.url),
      'digest',
      { op: 'hello' },
      {
        workerData: { digestWorker: true },
        // Its garbage is short-lived (parsed rows, JCS strings): a small young generation
        // keeps the sync's peak RSS inside the 300 MB budget for 1M rows.
        resourceLimits: { maxYoungGenerationSizeMb: 8 },
        onExit: () => new Error('the digest worker stopped'),
      },
    );
    return worker && new DigestPipe(worker);
  }

  private constructor(private readonly worker: RpcWorker<DigestCall, DigestAnswer>) {}

  /** A new stream; `merkle`: the worker also builds the Merkle tree over its digests (see root()). */
  begin(columns: readonly ColumnType[], merkle: boolean, chain?: ChainSpec): void {
    this.queue = [];
    this.linkQueue = chain ? [] : null;
    this.head = 0;
    this.tree = null;
    if (merkle) {
      let resolve: (t: { root: string; count: number }) => void = () => undefined;
      let reject: (e: Error) => void = () => undefined;
      const promise = new Promise<{ root: string; count: number }>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined);
      this.tree = { resolve, reject, promise };
    }
    this.send({ op: 'begin', columns: columns.map(({ name, type }) => ({ name, type })), merkle, chain });
  }

  /** The Merkle root over the stream's digests, once its end was seen (begin with merkle). */
  root(): Promise<{ root: string; count: number }> {
    if (!this.tree) return Promise.reject(new Error('no Merkle tree was asked for'));
    return this.tree.promise;
  }

  /** The next raw chunk of the COPY stream, or null at its end. */
  bytes(chunk: Buffer | null): void {
    if (chunk === null) return this.send({ op: 'end' });
    const copy = new Uint8Array(chunk); // its own ArrayBuffer, so it can be transferred
    this.send({ op: 'bytes', bytes: copy }, [copy.buffer]);
  }

  /** The digests (and links) of the next `n` rows, in stream order (calls reserve in call order). */
  take(n: number): Promise<DigestTake> {
    if (this.dead) return Promise.reject(this.dead);
    const p = new Promise<DigestTake>((resolve, reject) => this.waiters.push({ n, resolve, reject }));
    p.catch(() => undefined); // reported where it is awaited
    this.settle();
    return p;
  }

  async close(): Promise<void> {
    await this.worker.terminate().catch(() => undefined);
  }

  private settle(): void {
    while (this.waiters.length && this.queue.length - this.head >= this.waiters[0]!.n) {
      const w = this.waiters.shift()!;
      const out: DigestTake = { digests: this.queue.slice(this.head, this.head + w.n), links: this.linkQueue?.slice(this.head, this.head + w.n) ?? null };
      this.head += w.n;
      if (this.head > 50_000) {
        this.queue = this.queue.slice(this.head);
        this.linkQueue = this.linkQueue?.slice(this.head) ?? null;
        this.head = 0;
      }
      w.resolve(out);
    }
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const w of this.waiters.splice(0)) w.reject(this.dead);
    this.tree?.reject(this.dead);
  }

  /** Answers arrive in call order (the worker handles one message at a time), so digests queue in stream order. */
  private send(call: DigestCall, transfer?: ArrayBuffer[]): void {
    this.worker.call(call, { transfer }).then(
      (answer) => {
        const base = this.queue.length;
        for (const d of answer.digests) this.queue.push(d);
        // A worker that could not link this chain answers without links: this thread links it then.
        if (this.linkQueue && answer.digests.length && !answer.links) this.linkQueue = null;
        if (this.linkQueue) {
          this.linkQueue.length = this.queue.length;
          for (const [i, extra] of Object.entries(answer.links ?? {})) this.linkQueue[base + Number(i)] = extra;
        }
        this.settle();
        if (answer.root !== undefined && answer.count !== undefined) this.tree?.resolve({ root: answer.root, count: answer.count });
      },
      (e: unknown) => this.fail(e instanceof Error ? e : new Error(`digest worker: ${String(e)}`)),
    );
  }
}

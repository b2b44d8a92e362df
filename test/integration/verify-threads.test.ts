// A cache verified by read workers reports exactly what one thread reports: random
// chains (fast-check) with random damage — edits, forged hashes, deletions, copies,
// foreign rows, swapped seqs, NULL seqs, non-hex hashes — written into a real SQLite
// cache, read once in this thread and once by worker threads over small seq ranges
// and batches, so breaks fall on every kind of range and batch boundary; and the same
// chains as COPY text, parsed in this thread and by parse workers over small chunks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { mapColumns } from '../../src-main/core/cache/record-mapping.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { listCachedChains, readCachedChain } from '../../src-main/core/verify/adapters.js';
import { readCachedChainParallel } from '../../src-main/core/verify/cached-parallel.js';
import { ChainVerifier } from '../../src-main/core/verify/chain-verifier.js';
import { readCopyTextParallel } from '../../src-main/core/verify/copy-parallel.js';
import { CopyTextParser, type Row } from '../../src-main/core/source/copy-text.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';
import type { ChainRow } from '../../src-main/core/verify/types.js';
import { chainShape, payloadAtSeq, toChainRow } from '../../src-main/core/verify/rows.js';
import { runVerification } from '../../src-main/core/verify/run.js';
import { CacheFixture, EVENT_COLUMNS, uuidOf, type SourceRow } from '../helpers/cache-fixture.js';
import { chain, damage, damageArb } from '../helpers/damaged-chains.js';

let dir: string;
let files = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-verify-threads-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const comparable = (r: VerifyReport) => ({ intact: r.intact, summary: r.summary, tenants: r.tenants });

async function bothWays(rows: SourceRow[], sizes: { rangeRows: number; batchRows: number }, otherTenant: SourceRow[] = []) {
  const f = new CacheFixture(join(dir, `cache-${++files}.sqlite`));
  try {
    f.addEvents('acme', rows);
    // a second chain in the same cache: the same read workers read both, one after the other
    if (otherTenant.length) f.addEvents('globex', otherTenant);
    const cache = { db: f.db, path: 'test' };
    const one = await runVerification({ cache, readers: { threads: 0 } });
    // verify --jobs 1 and --jobs 2: one and two read workers, each over seq ranges linked in order.
    const oneJob = await runVerification({ cache, readers: { threads: 1, minRows: 0, ...sizes } });
    const workers = await runVerification({ cache, readers: { threads: 2, minRows: 0, ...sizes } });
    return { one, oneJob, workers };
  } finally {
    f.close();
  }
}

describe('read workers', () => {
  test('report exactly what one thread reports, for random chains with random damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 90 }),
        fc.array(damageArb, { maxLength: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(damageArb, { maxLength: 2 }),
        async (n, list, rangeRows, batchRows, m, otherList) => {
          const { one, oneJob, workers } = await bothWays(damage(chain(n), list), { rangeRows, batchRows }, damage(chain(m, 1, 'globex'), otherList));
          assert.deepEqual(comparable(workers), comparable(one));
          assert.deepEqual(comparable(oneJob), comparable(one));
        },
      ),
      { numRuns: 40 },
    );
  });

  test('an untouched chain is intact either way, and damage is found either way', async () => {
    const clean = await bothWays(chain(50), { rangeRows: 7, batchRows: 3 });
    assert.equal(clean.workers.intact, true);
    assert.equal(clean.workers.summary.rows, 50);
    const broken = await bothWays(
      damage(chain(50), [
        { kind: 'copy', at: 20 },
        { kind: 'swap', at: 34 },
        { kind: 'nullseq', at: 44 },
      ]),
      { rangeRows: 7, batchRows: 3 },
    );
    assert.deepEqual(comparable(broken.workers), comparable(broken.one));
    const kinds = broken.workers.tenants[0]!.breaks.map((b) => b.kind);
    for (const k of ['duplicate', 'reordered', 'malformed']) assert.ok(kinds.includes(k as never), `${k} in ${kinds.join(', ')}`);
  });
});

describe('cache damage found by read workers', () => {
  // A broken chain's rows are checked against the digests the sync stored before the
  // break is blamed on the tenant (verify/cache-damage.ts). The read workers check them
  // range by range, answering in any order: the row named must still be the first
  // changed one in seq order, as one thread names it, whichever range it is in.
  test('name the first row changed in the cache, as one thread does, and let a tenant-made break through', async () => {
    const f = new CacheFixture(join(dir, `cache-${++files}.sqlite`));
    try {
      // The tenant's own edit at seq 251: stored as synced, so a break to report.
      f.addEvents('acme', damage(chain(300), [{ kind: 'edit', at: 250 }]));
      const cache = { db: f.db, path: 'test' };
      const changeInCache = (seq: number, changed: boolean) =>
        f.db.prepare(`UPDATE records SET event_type = ? WHERE kind = 'event' AND seq = ?`).run(changed ? 'changed in the cache' : seq % 3 ? 'read' : 'login', seq);
      const namedBy = async (threads: number) => {
        try {
          const report = await runVerification({ cache, readers: { threads, minRows: 0, rangeRows: 7 } });
          return report.intact ? 'intact' : `broken: ${report.tenants[0]!.breaks.map((b) => b.kind).join(', ')}`;
        } catch (e) {
          const { code, message } = e as { code?: string; message: string };
          return `${code}: ${/row (seq \d+)/.exec(message)?.[1]}`;
        }
      };
      const everyWay = async () => [await namedBy(0), await namedBy(1), await namedBy(2)];
      for (const seq of [120, 40, 290]) changeInCache(seq, true);
      assert.deepEqual(await everyWay(), Array(3).fill('E_CACHE_CORRUPT: seq 40'));
      changeInCache(40, false);
      assert.deepEqual(await everyWay(), Array(3).fill('E_CACHE_CORRUPT: seq 120'));
      changeInCache(120, false);
      changeInCache(290, false);
      assert.deepEqual(await everyWay(), Array(3).fill('broken: modified'));
    } finally {
      f.close();
    }
  });
});

describe('read workers that cannot start', () => {
  test('leave every range to this thread, which hands the engine the same rows as the one-thread reader', async () => {
    const f = new CacheFixture(join(dir, `cache-${++files}.sqlite`));
    try {
      const rows = damage(chain(40), [
        { kind: 'nullseq', at: 3 },
        { kind: 'copy', at: 17 },
        { kind: 'swap', at: 25 },
      ]);
      f.addEvents('acme', rows);
      const c = listCachedChains(f.db)[0]!;
      const s = chainShape(c.columns, JCS_SHA256_V1, c.name);
      const seen = (r: ChainRow) => [r.seq, r.seqText, r.id, r.time, r.prevHash, r.hash, r.payload];
      const one: unknown[] = [];
      await readCachedChain(f.db, c, s, (r) => one.push(seen(r)));
      const here: unknown[] = [];
      // the script is missing: no worker starts, after this thread already read the first ranges
      const n = await readCachedChainParallel(f.db, c, s, (r) => here.push(seen(r)), {
        threads: 2,
        rows: rows.length,
        rangeRows: 4,
        workerScript: new URL('../helpers/no-such-worker.js', import.meta.url),
      });
      assert.equal(n, rows.length);
      assert.deepEqual(here, one);
    } finally {
      f.close();
    }
  });
});

/** A value as COPY's text format prints it. */
const copyText = (v: string | null) => (v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));

describe('parse workers (live COPY)', () => {
  const mapped = mapColumns('events', EVENT_COLUMNS);
  const shape = chainShape(mapped, JCS_SHA256_V1, 'audit_logs');
  const verifier = () => new ChainVerifier({ table: 'audit_logs', tenant: 'acme', profile: JCS_SHA256_V1, mode: 'source', payloadAtSeq: payloadAtSeq(shape) });

  /** The rows as COPY text cut into pieces of `size` bytes (lines and characters cut anywhere). */
  function pieces(rows: SourceRow[], size: number, newlineAtEnd: boolean): Buffer[] {
    // COPY sorts by seq; NULL seqs last, as PostgreSQL orders them ascending
    const sorted = [...rows].sort((a, b) => (a.seq === b.seq ? 0 : a.seq == null ? 1 : b.seq == null ? -1 : Number(a.seq) - Number(b.seq)));
    let text = sorted.map((r) => EVENT_COLUMNS.map((c) => copyText(r[c.name] ?? null)).join('\t')).join('\n');
    if (newlineAtEnd) text += '\n';
    const all = Buffer.from(text, 'utf8');
    const out: Buffer[] = [];
    for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
    return out;
  }

  test('report exactly what the in-thread COPY parser reports, for random chains with random damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(damageArb, { maxLength: 4 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        // all-ASCII chunks are cut from one decoded text, others line by line: both, and mixed
        fc.constantFrom(0, 1, 7),
        async (n, list, size, chunkBytes, newlineAtEnd, accentEvery) => {
          const rows = damage(chain(n, accentEvery), list).map((r, i) => (i === 0 ? { ...r, entity_id: 'tab\there, line\nthere, back\\slash' } : r));
          const bufs = pieces(rows, size, newlineAtEnd);
          const one = verifier();
          const parser = new CopyTextParser();
          const parsed: Row[] = [];
          for (const b of bufs) parser.push(b, parsed);
          parser.end(parsed);
          for (const values of parsed) one.push(toChainRow(values, shape));
          const byWorkers = verifier();
          const count = await readCopyTextParallel(
            async function* () {
              yield* bufs;
            },
            mapped,
            shape,
            'audit_logs',
            (row) => byWorkers.push(row),
            { threads: 2, chunkBytes },
          );
          assert.equal(count, parsed.length);
          assert.deepEqual(byWorkers.finish(), one.finish());
        },
      ),
      { numRuns: 45 },
    );
  });
});

describe('progress of a cache verification', () => {
  test('ends at rows verified = rows to verify, over every chain (the bar is full when the job is done)', async () => {
    const f = new CacheFixture(join(dir, `cache-${++files}.sqlite`));
    try {
      f.addEvents('acme', chain(150));
      // the same rows under another tenant, chained afresh by the fixture
      f.addEvents(
        'globex',
        chain(150).map(({ prev_hash: _p, hash: _h, ...r }) => ({ ...r, id: uuidOf(`globex-${r.id}`), tenant_id: 'globex' })),
      );
      for (const threads of [0, 2]) {
        const seen: { done?: number; total?: number | null }[] = [];
        await runVerification({ cache: { db: f.db, path: 'test' }, readers: { threads, minRows: 0 }, onProgress: (p) => seen.push(p) });
        const last = seen.filter((p) => p.done !== undefined).at(-1)!;
        assert.deepEqual({ done: last.done, total: last.total }, { done: 300, total: 300 }, `threads=${threads}`);
      }
    } finally {
      f.close();
    }
  });
});

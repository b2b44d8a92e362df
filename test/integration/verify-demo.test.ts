// Verification against the demo tenant's ground truth: every planted modification,
// deletion and tail rewrite is found with the right kind and seq, intact tenants
// report nothing, the live source and the cache give the same report, and the CLI
// exits 0 / 1 / 2.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startDemoDb, type DemoDb, type GroundTruth } from '../helpers/demo-db.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { tableColumns } from '../../src-main/core/demo/generate.js';
import { loadOrCreateAuditorKey, type AuditorKey } from '../../src-main/core/identity/auditor-key.js';
import type { SourceSession } from '../../src-main/core/source/index.js';
import { syncToCache } from '../../src-main/core/sync/index.js';
import { listCheckpoints, loadAnchorFile } from '../../src-main/core/verify/checkpoints.js';
import type { ChainReportJson, VerifyReport } from '../../src-main/core/verify/report.js';
import { runVerification } from '../../src-main/core/verify/run.js';
import { latestResults, recordSyncCheckpoints } from '../../src-main/core/verify/store.js';
import { withSourceSession } from '../helpers/source-session.js';

const run = promisify(execFile);

let demo: DemoDb;
let truth: GroundTruth;
let dir: string;
let key: AuditorKey;
let admin: pg.Client;
let tampered: string;
let intactTenants: string[];

const withSession = <T>(work: (s: SourceSession) => Promise<T>): Promise<T> => withSourceSession(demo.url, work);

let cacheNo = 0;
function freshCache(): { db: CacheDb; path: string } {
  const path = join(dir, `cache-${++cacheNo}.sqlite`);
  return { db: openCache(path), path };
}

const planted = (kind: 'modified' | 'deleted' | 'rewritten') => truth.tampering.find((t) => t.kind === kind)!;
const chainOf = (r: VerifyReport, tenant: string) => r.tenants.find((t) => t.tenant === tenant && t.table === 'audit_logs')!;
const found = (c: ChainReportJson) => c.breaks.map((b) => `${b.kind}@${b.seq}`);

/**
 * Sets the rewritten row's severity and recomputes every hash from it to the head, as
 * the demo's rogue DBA did: with the original value this restores the chain as it
 * was before the rewrite, with the tampered value it re-plants the rewrite.
 */
async function setRewrittenSeverity(severity: string): Promise<string> {
  const w = planted('rewritten');
  const columns = await tableColumns(admin, 'audit_logs');
  const payloadOf = makePayloadBuilder(columns);
  await admin.query('BEGIN');
  await admin.query('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_immutable');
  await admin.query('UPDATE audit_logs SET severity = $1 WHERE id = $2', [severity, w.id]);
  const before = await admin.query<{ hash: string }>('SELECT hash FROM audit_logs WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1', [tampered, w.seq]);
  const tail = await admin.query<(string | null)[]>({
    text: `SELECT ${columns.map((c) => `"${c.name}"::text`).join(', ')} FROM audit_logs WHERE tenant_id = $1 AND seq >= $2 ORDER BY seq`,
    values: [tampered, w.seq],
    rowMode: 'array',
  });
  const seqAt = columns.findIndex((c) => c.name === 'seq');
  let prev = before.rows[0]!.hash;
  const seqs: string[] = [];
  const prevs: string[] = [];
  const hashes: string[] = [];
  for (const row of tail.rows) {
    const hash = chainHash(prev, payloadOf(row));
    seqs.push(row[seqAt]!);
    prevs.push(prev);
    hashes.push(hash);
    prev = hash;
  }
  await admin.query(
    `UPDATE audit_logs a SET prev_hash = r.p, hash = r.h FROM unnest($2::bigint[], $3::text[], $4::text[]) AS r(s, p, h)
      WHERE a.tenant_id = $1 AND a.seq = r.s`,
    [tampered, seqs, prevs, hashes],
  );
  await admin.query('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_immutable');
  await admin.query('COMMIT');
  return prev;
}

before(async () => {
  demo = await startDemoDb();
  truth = demo.groundTruth;
  tampered = truth.tamperedTenant;
  intactTenants = truth.tenants.filter((t) => t !== tampered);
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-verify-demo-'));
  key = loadOrCreateAuditorKey(join(dir, 'data'));
  admin = new pg.Client({
    connectionString: demo.adminUrl,
    options: '-c TimeZone=UTC -c DateStyle=ISO,YMD',
    types: { getTypeParser: () => (v: string) => v },
  });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the live source', () => {
  test('the planted modification and deletion are found with their kind, seq and id; intact tenants have no break', async () => {
    const store = freshCache();
    const report = await withSession((session) => runVerification({ session, store: store.db, tenants: truth.tenants, key }));
    const chain = chainOf(report, tampered);
    const m = planted('modified');
    const d = planted('deleted');
    assert.deepEqual(
      found(chain),
      [`modified@${m.seq}`, `deleted@${d.seq}`].sort((a, b) => Number(a.split('@')[1]) - Number(b.split('@')[1])),
    );
    const mb = chain.breaks.find((b) => b.kind === 'modified')!;
    assert.equal(mb.id, m.id);
    assert.ok(mb.facts?.cause === 'content_changed', JSON.stringify(mb.facts));
    assert.equal(mb.facts.row.seq, m.seq);
    assert.equal(mb.facts.row.id, m.id);
    assert.match(mb.facts.row.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, "the row's time is named");
    const db = chain.breaks.find((b) => b.kind === 'deleted')!;
    assert.equal(db.expected, d.hash, "the next row still names the deleted row's hash");
    assert.equal(chain.rows, truth.counts[tampered]!.audit_logs);
    assert.equal(chain.intactRows, chain.rows - 1);
    assert.equal(chain.intact, false);
    assert.equal(report.intact, false);
    for (const t of intactTenants) {
      const c = chainOf(report, t);
      assert.deepEqual(found(c), [], `tenant ${t}`);
      assert.equal(c.intact, true);
      assert.equal(c.rows, truth.counts[t]!.audit_logs);
      assert.equal(c.headHash, truth.chainHeads[t]!.hash);
    }
    // every chain got a signed checkpoint, and the report is stored
    assert.equal(report.checkpointsRecorded.length, truth.tenants.length);
    assert.ok(listCheckpoints(store.db, {}, key.publicKeyRaw).every((c) => c.signatureStatus === 'valid'));
    const stored = latestResults(store.db, key.keyId).chains;
    assert.equal(stored.length, truth.tenants.length);
    assert.deepEqual(
      stored.map((c) => c.notCheckedHere),
      stored.map(() => null),
      'each stored verdict is signed with the key that verified',
    );
    store.db.close();
  });

  test('the tail rewrite is found through the anchor saved before it (the chain no longer extends it)', async () => {
    const anchorFile = join(dir, 'anchor.json');
    writeFileSync(anchorFile, JSON.stringify(truth.anchor));
    const store = freshCache();
    const report = await withSession((session) => runVerification({ session, store: store.db, tenants: [tampered], key, anchors: loadAnchorFile(anchorFile) }));
    const chain = chainOf(report, tampered);
    const w = planted('rewritten');
    const rewritten = chain.breaks.filter((b) => b.kind === 'rewritten');
    assert.equal(rewritten.length, 1);
    // An anchor holds only the head: the rewrite is pinned to the range up to it.
    assert.equal(rewritten[0]!.seq, truth.anchor.last_seq);
    assert.equal(rewritten[0]!.expected, truth.anchor.head_hash);
    assert.equal(rewritten[0]!.found, truth.chainHeads[tampered]!.hash);
    const facts = rewritten[0]!.facts;
    assert.ok(facts?.cause === 'rewritten_since_anchor', JSON.stringify(facts));
    assert.ok(Number(facts.from) <= w.seq && w.seq <= Number(facts.to), 'the range names the rewritten row');
    assert.equal(chain.checkpoints[0]!.outcome, 'rewritten');
    store.db.close();
  });

  test('against a cache synced before the rewrite, the rewrite is pinned to its first seq; a cache is never "broken" for being behind', async () => {
    const w = planted('rewritten');
    const cache = freshCache();
    // Put the chain back as it was before the rewrite, take the "earlier visit", re-plant it.
    const restoredHead = await setRewrittenSeverity(w.before!);
    assert.equal(restoredHead, truth.anchor.head_hash, 'restoring the value restores the original head');
    try {
      const summary = await withSession((s) => syncToCache(s, cache.db, { tenants: truth.tenants }));
      recordSyncCheckpoints(cache.db, key, summary);
    } finally {
      await setRewrittenSeverity(w.after!);
    }
    const report = await withSession((session) => runVerification({ session, cache, tenants: truth.tenants, key }));
    const chain = chainOf(report, tampered);
    const m = planted('modified');
    const d = planted('deleted');
    assert.deepEqual(found(chain), [`modified@${m.seq}`, `deleted@${d.seq}`, `rewritten@${w.seq}`]);
    const rw = chain.breaks.find((b) => b.kind === 'rewritten')!;
    assert.equal(rw.id, w.id);
    assert.ok(rw.facts?.cause === 'rewritten_since_reference', JSON.stringify(rw.facts));
    assert.equal(rw.facts.row.seq, w.seq);
    assert.equal(rw.facts.differing, w.through_seq! - w.seq + 1);
    assert.equal(chain.cacheComparison!.firstDifferentSeq, w.seq);
    assert.equal(chain.cacheComparison!.differing, w.through_seq! - w.seq + 1);
    assert.ok(chain.checkpoints.some((c) => c.origin === 'sync' && c.outcome === 'rewritten' && c.signature === 'valid'));
    for (const t of intactTenants) assert.deepEqual(found(chainOf(report, t)), [], `tenant ${t}`);
    // conversation logs and the other tables still match their seals
    assert.ok(report.seals.length >= truth.tenants.length);
    assert.ok(
      report.seals.every((s) => s.intact),
      JSON.stringify(report.seals.filter((s) => !s.intact)),
    );
    cache.db.close();
  });

  test('a source with newer rows than its cache is not broken (stale cache)', async () => {
    // Cache only the first part of an intact tenant's chain, as an earlier sync would have.
    const t = intactTenants[0]!;
    const cache = freshCache();
    await withSession((s) => syncToCache(s, cache.db, { tenants: [t] }));
    const cut = Math.floor(truth.counts[t]!.audit_logs / 2);
    cache.db.prepare(`DELETE FROM records WHERE kind = 'event' AND tenant_id = ? AND seq > ?`).run(t, cut);
    const report = await withSession((session) => runVerification({ session, cache, tenants: [t], key }));
    const chain = chainOf(report, t);
    assert.deepEqual(found(chain), []);
    assert.equal(chain.cacheComparison!.compared, cut);
    cache.db.close();
  });
});

describe('the cache', () => {
  test('offline verification of a cache gives the same report as the live source (cursor or COPY)', async () => {
    const cache = freshCache();
    await withSession((s) => syncToCache(s, cache.db, { tenants: truth.tenants }));
    const offline = await runVerification({ cache, tenants: truth.tenants, key });
    const live = await withSession((session) => runVerification({ session, tenants: truth.tenants, key }));
    const copied = await withSession((session) => runVerification({ session, copy: { target: demo.url }, tenants: truth.tenants, key, readers: { threads: 0 } }));
    // Parse workers over small COPY chunks (lines cut at every chunk edge) report what one thread does.
    const copiedByWorkers = await withSession((session) => runVerification({ session, copy: { target: demo.url }, tenants: truth.tenants, readers: { threads: 2, chunkBytes: 4000 } }));
    const comparable = (r: VerifyReport) =>
      r.tenants.map(({ tenant, table, rows, intactRows, intact, firstSeq, lastSeq, headHash, merkleRoot, breaks }) => ({
        tenant,
        table,
        rows,
        intactRows,
        intact,
        firstSeq,
        lastSeq,
        headHash,
        merkleRoot,
        breaks,
      }));
    assert.deepEqual(comparable(offline), comparable(live));
    assert.deepEqual(comparable(copied), comparable(live), 'COPY and the cursor read the same values');
    assert.deepEqual(comparable(copiedByWorkers), comparable(copied), 'COPY parsed by workers and in one thread agree');
    // Read workers over many small seq ranges and batches report exactly what one thread does.
    const threaded = await runVerification({ cache, tenants: truth.tenants, readers: { threads: 2, minRows: 0, rangeRows: 97, batchRows: 13 } });
    assert.deepEqual(comparable(threaded), comparable(offline), 'worker threads and one thread agree');
    assert.equal(offline.target, 'cache');
    assert.ok(offline.seals.length > 0 && offline.seals.every((s) => s.intact));
    // the cache verification compared with the checkpoints the live run recorded? (different store: no)
    cache.db.close();
  });
});

describe('auditdesk verify (CLI)', () => {
  // The CLI compiled into the same build folder as this test.
  const cli = new URL(import.meta.url).pathname.replace(/test\/integration\/verify-demo\.test\.js$/, 'src-main/cli/main.js');
  const execBuilt = async (args: string[]) => {
    try {
      const r = await run(process.execPath, [cli, 'verify', '--data-dir', join(dir, 'cli-data'), ...args]);
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };

  test('exit 0 for an intact tenant, 1 with every break explained for the tampered one, 2 on error', async () => {
    const ok = await execBuilt(['--source', demo.url, '--tenant', intactTenants[0]!]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /INTACT +audit_logs · tenant/);

    const broken = await execBuilt(['--source', demo.url, '--tenant', tampered]);
    assert.equal(broken.code, 1, broken.stderr);
    assert.match(broken.stdout, new RegExp(`\\[modified\\] Row seq ${planted('modified').seq} `));
    assert.match(broken.stdout, new RegExp(`\\[deleted\\] Row seq ${planted('deleted').seq} is missing`));

    const json = await execBuilt(['--source', demo.url, '--tenant', tampered, '--json']);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as VerifyReport;
    assert.equal(report.tenants[0]!.tenant, tampered);
    assert.equal(typeof report.tenants[0]!.breaks[0]!.seq, 'number');

    const bad = await execBuilt(['--source', `postgresql://auditor_ro:Sesame-4711@127.0.0.1:${demo.port}/nope`, '--tenant', tampered]);
    assert.equal(bad.code, 2);
    // one error line, beside the warning that a password typed into --source is visible to other users
    assert.deepEqual(
      bad.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('auditdesk: warning: the password in --source')).length,
      1,
      bad.stderr,
    );
    assert.doesNotMatch(bad.stderr, /Sesame-4711/, 'no password in the error');

    const badAnchor = join(dir, 'bad-anchor.json');
    writeFileSync(badAnchor, '{"tenant": "x"}');
    const badFile = await execBuilt(['--source', demo.url, '--checkpoint', badAnchor]);
    assert.equal(badFile.code, 2);
    assert.match(badFile.stderr, /head_hash|table/);
    // The CLI reads anchor files with the app's schema: same refusal, same words.
    writeFileSync(badAnchor, JSON.stringify({ anchors: [{ tenant: tampered, table: 'audit_logs', last_seq: 1, head_hash: 'ABC' }] }));
    const upper = await execBuilt(['--source', demo.url, '--checkpoint', badAnchor]);
    assert.equal(upper.code, 2);
    assert.match(upper.stderr, /\(head #1, head_hash\): head_hash must be 64 \(or 128\) lowercase hex characters/);
  });
});

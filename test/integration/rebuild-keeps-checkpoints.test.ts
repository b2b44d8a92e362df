// A rebuild must not erase the evidence of a history rewritten since the last visit. The
// source below is re-chained from one changed row to the head, which a fresh cache reads as
// intact: only the signed checkpoints of the earlier sync show the rewrite. One flipped
// byte in the cache made the auditor rebuild, and the rebuilt cache said INTACT. Now the
// rebuild carries the damaged file's checkpoints over, each only if its signature still
// verifies, so the verdict is the one the same cache gives without the damage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { runAuditdesk } from '../helpers/cli.js';
import { editAsOwner } from '../helpers/source-edit.js';
import { rechainFrom } from '../../src-main/core/demo/tamper.js';
import type { AppContext } from '../../src-main/core/app/context.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { clientFor, finishedJob, jobOutcome } from '../helpers/app-calls.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';

let demo: DemoDb;
let dir: string;
let tenant: string;
let app: AppContext;
const REWRITTEN_SEQ = '50';
const PASSWORD = 'rebuild-password-1';

const cliCache = () => join(dir, 'cli', 'cache.sqlite');
const sync = (...extra: string[]) => runAuditdesk(['sync', '--source', demo.url, '--tenant', tenant, '--cache', cliCache(), '--data-dir', join(dir, 'cli-data'), ...extra]);

/** Flips a cached event's severity behind AuditDesk's back: the damage a rebuild is for. */
function damageCachedRow(cachePath: string, seq: number): void {
  const db = new Database(cachePath);
  try {
    assert.equal(db.prepare(`UPDATE records SET severity = severity || char(7) WHERE kind = 'event' AND tenant_id = ? AND seq = ?`).run(tenant, seq).changes, 1);
  } finally {
    db.close();
  }
}

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-rebuild-checkpoints-'));
  tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  mkdirSync(join(dir, 'cli'));
  // The first visit, by the CLI and by the app: each records a signed checkpoint at the head.
  const first = await sync();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  app = await appOnDemo(demo, join(dir, 'app'));
  await finishedJob<SyncResult>(app, 'sync.start', { tenants: [tenant] });
  // Between the visits: one row changed at the source and every later hash recomputed.
  await editAsOwner(demo.adminUrl, async (admin) => {
    await admin.query(`UPDATE audit_logs SET user_id = 'someone-else' WHERE tenant_id = $1 AND seq = $2`, [tenant, REWRITTEN_SEQ]);
    await rechainFrom(admin, tenant, REWRITTEN_SEQ);
  });
});

after(async () => {
  await app?.shutdown();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('`sync --rebuild` after damage still finds the history rewritten since the checkpoint of the earlier sync', { timeout: 240_000 }, async () => {
  damageCachedRow(cliCache(), 7);
  const refused = await sync();
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  // A checkpoint altered inside the damaged file (its head no longer what was signed) must not be carried.
  const db = new Database(cliCache());
  try {
    db.prepare(
      `INSERT INTO checkpoints (origin, source_fingerprint, table_name, tenant_id, last_seq, head_hash, merkle_root, row_count, created_at, body_json, signature, public_key, note)
       SELECT origin, source_fingerprint, table_name, tenant_id, last_seq - 1, head_hash, merkle_root, row_count, created_at, body_json, signature, public_key, note FROM checkpoints LIMIT 1`,
    ).run();
    // And its reviewer journal altered: the review work is then left behind, whole, and says why.
    db.exec('DROP TRIGGER review_journal_no_update');
    assert.equal(db.prepare(`UPDATE review_journal SET details = replace(details, '"rows":', '"rows":1') WHERE seq = 1`).run().changes, 1);
  } finally {
    db.close();
  }

  const rebuilt = await sync('--rebuild');
  assert.equal(rebuilt.code, 1, `the rewrite is a finding, not INTACT: ${rebuilt.stdout}${rebuilt.stderr}`);
  assert.doesNotMatch(rebuilt.stdout, /All 1 chain\(s\) intact/);
  assert.match(rebuilt.stdout, /rewritten/);
  // Every sync signs the head it saw (the refused one too); only the altered copy stays behind.
  assert.match(
    rebuilt.stderr,
    /moved aside to \S+\.broken-\S+ .*\b[1-9]\d* signed checkpoint\(s\) carried into the new cache.*; 1 left behind \(unsigned, signed by another key, or their signature no longer verifies\)/s,
  );
  assert.match(rebuilt.stderr, /review work \(journal, decisions, completions\) was not carried: its journal does not verify \(entry 1: its content does not give its hash/);
  // The rebuild itself is the new journal's first entry.
  const journal = await runAuditdesk(['journal', 'list', '--cache', cliCache(), '--json']);
  const first = JSON.parse(journal.stdout.split('\n')[0]!) as { seq: number; action: string; details: { reviewCarried: boolean } };
  assert.equal(first.action, 'cache_rebuilt');
  assert.equal(first.details.reviewCarried, false);
});

test('the app\'s "Rebuild the cache" still finds it too, and carries the review work and journal over', { timeout: 240_000 }, async () => {
  // Review work done before the damage: a signed decision, in the journal after the sync's entries.
  const api = clientFor(app);
  const identity = await api['identity.create']({ name: 'Rene Rebuild', org: 'Audit', email: 'rene@audit.example', password: PASSWORD });
  const item = (await api['review.queue']({})).items.find((i) => i.status === 'open')!;
  await api['review.decide']({
    itemId: item.itemId,
    evidenceHash: item.evidenceHash,
    disposition: 'escalated',
    meaning: 'Reviewed',
    note: 'before the damage',
    identity: identity.fingerprint,
    password: PASSWORD,
  });
  const before = await api['journal.list']({});

  damageCachedRow(app.cachePath, 7);
  const refused = await jobOutcome(app, 'sync.start', { tenants: [tenant] });
  assert.equal(refused.error?.code, 'E_CACHE_CORRUPT');
  const rebuilt = await jobOutcome(app, 'sync.start', { tenants: [tenant], rebuild: true });
  const chain = (rebuilt.result as SyncResult | undefined)?.chains?.find((c) => c.tenant === tenant);
  assert.equal(chain?.verdict, 'broken', `the rebuilt cache does not call the rewritten chain intact: ${JSON.stringify(rebuilt.error ?? chain)}`);

  const after = await api['journal.list']({});
  assert.deepEqual(
    after.slice(0, before.length).map((e) => e.hash),
    before.map((e) => e.hash),
    'the earlier journal continues, entry for entry',
  );
  // (the refused sync's own entry comes between: its rows were committed before its verdict found the damage)
  assert.ok(after.findIndex((e) => e.action === 'cache_rebuilt') >= before.length, 'the rebuild is journaled after them');
  assert.equal((await api['journal.verify']({})).verdict, 'intact');
  const decided = (await api['review.queue']({})).items.find((i) => i.itemId === item.itemId);
  assert.equal(decided?.decision?.note, 'before the damage', 'the signed decision is still on its item');
});

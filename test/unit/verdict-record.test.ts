// Stored verdicts are signed (verify/verdict-record.ts): what the Engagements list, the
// Integrity screen, the review queue and `verify --cache` read back is this auditor's check
// only when this data folder's key signed that very record, in that place of that cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { latestResults, storeReport } from '../../src-main/core/verify/store.js';
import { notCheckedHere, VERDICT_RECORD_COLUMNS, type VerdictRecordRow } from '../../src-main/core/verify/verdict-record.js';
import { REPORT_FORMAT, type VerifyReport } from '../../src-main/core/verify/report.js';
import { scratchDir } from '../helpers/scratch.js';

const own = loadOrCreateAuditorKey(scratchDir('auditdesk-verdict-own-'));
const other = loadOrCreateAuditorKey(scratchDir('auditdesk-verdict-other-'));

function brokenChainReport(): VerifyReport {
  const chain = {
    tenant: 'globex-bank',
    table: 'audit_logs',
    rows: 3,
    intactRows: 2,
    intact: false,
    firstSeq: 1,
    lastSeq: 3,
    headHash: 'ab'.repeat(32),
    merkleRoot: null,
    breaks: [{ seq: 2, id: 'e-2', kind: 'hash_mismatch', explanation: 'row 2 was modified' }],
    breaksOmitted: 0,
    checkpoints: [],
    cacheComparison: null,
    verdict: 'broken',
    limits: [],
  } as unknown as VerifyReport['tenants'][number];
  return {
    format: REPORT_FORMAT,
    checkedAt: '2026-12-07T10:00:00.000Z',
    target: 'cache',
    source: null,
    cache: null,
    profile: { name: 'jcs-sha256-v1' } as VerifyReport['profile'],
    intact: false,
    verdict: 'broken',
    summary: { chains: 1, rows: 3, intactRows: 2, breaks: 1, byKind: {}, sealsChecked: 0, sealsChanged: 0, driftFindings: 0 },
    tenants: [chain],
    seals: [],
    checkpointsRecorded: [],
    notes: [],
    drift: { count: 0, open: 0, findings: [], findingsOmitted: 0 },
  };
}

const latestRecord = (db: CacheDb) => db.prepare(`SELECT ${VERDICT_RECORD_COLUMNS} FROM verify_reports ORDER BY report_id DESC LIMIT 1`).get() as VerdictRecordRow;

test("a record this key stored is its own check; another key's is named as such", () => {
  const db = openCache(':memory:');
  storeReport(db, brokenChainReport(), own);
  assert.equal(notCheckedHere(latestRecord(db), own.keyId), null);
  assert.deepEqual(notCheckedHere(latestRecord(db), other.keyId), { why: 'another-key', keyId: own.keyId, words: `another auditor's verdict (key ${own.keyId})` });
  assert.equal(notCheckedHere(latestRecord(db), null)?.why, 'another-key', 'a data folder without a key yet has no own verdicts');
  assert.equal(latestResults(db, own.keyId).chains[0]!.notCheckedHere, null);
});

test("a record stored without a key, an edited one and one copied to a later place are nobody's check here", () => {
  const db = openCache(':memory:');
  storeReport(db, brokenChainReport(), null);
  assert.equal(notCheckedHere(latestRecord(db), own.keyId)?.why, 'unsigned');

  storeReport(db, brokenChainReport(), own);
  const signed = latestRecord(db);
  // An edit by hand: the broken verdict rewritten as intact.
  const intactJson = signed.report_json.replace('"intact":false', '"intact":true');
  db.prepare('UPDATE verify_reports SET intact = 1, report_json = ? WHERE report_id = ?').run(intactJson, signed.report_id);
  assert.equal(notCheckedHere(latestRecord(db), own.keyId)?.why, 'signature-invalid');
  db.prepare('UPDATE verify_reports SET intact = 0, report_json = ? WHERE report_id = ?').run(signed.report_json, signed.report_id);
  assert.equal(notCheckedHere(latestRecord(db), own.keyId), null, 'put back, it verifies again');

  // A replay: the signed record copied, signature and all, as the newest one after the cache changed.
  db.prepare('UPDATE cache_generation SET n = n + 1').run();
  db.prepare(
    `INSERT INTO verify_reports (checked_at, target, source_fingerprint, intact, report_json, cache_generation, signature, public_key)
     SELECT checked_at, target, source_fingerprint, intact, report_json, (SELECT n FROM cache_generation), signature, public_key FROM verify_reports WHERE report_id = ?`,
  ).run(signed.report_id);
  assert.equal(notCheckedHere(latestRecord(db), own.keyId)?.why, 'signature-invalid');
});

test("a result row written beside a signed record is not that record's verdict", () => {
  const db = openCache(':memory:');
  const reportId = storeReport(db, brokenChainReport(), own);
  const forged = { ...brokenChainReport().tenants[0]!, intact: true, verdict: 'intact', intactRows: 3, breaks: [] };
  db.prepare(
    `INSERT INTO verify_results (report_id, what, table_name, tenant_id, intact, row_count, break_count, last_seq, checked_at, result_json) VALUES (?, 'chain', 'audit_logs', 'globex-bank', 1, 3, 0, 3, ?, ?)`,
  ).run(reportId, '2026-12-07T10:00:00.000Z', JSON.stringify(forged));
  const [chain] = latestResults(db, own.keyId).chains;
  assert.equal(chain!.intact, true, 'the newest row says intact');
  assert.equal(chain!.notCheckedHere?.why, 'signature-invalid');
  assert.match(chain!.notCheckedHere!.words, /its signed record does not contain/);
});

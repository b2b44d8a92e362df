// Cache migration "checkpoint notes" (issue 18): checkpoints recorded before it keep
// their JSON form and still verify; checkpoints recorded after it carry the same head as
// a C2SP signed note too, which the row's own key opens; a note edited in the table
// makes the checkpoint invalid.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openCache, cacheSchemaVersion, loadMigrations, type CacheDb } from '../../src-main/core/cache/open.js';
import { loadOrCreateAuditorKey, type AuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { listCheckpoints, recordCheckpoint } from '../../src-main/core/verify/checkpoints.js';
import { openStoredNote } from '../../src-main/core/verify/checkpoint-note.js';
import { runVerification } from '../../src-main/core/verify/run.js';
import { chainOrigin } from '../../src-main/core/chain/tlog-checkpoint.js';
import { createRecordsFixture, type RecordsFixture } from '../helpers/records-fixture.js';
import { scratchDir } from '../helpers/scratch.js';

// The migration under test, found by name so the lead's renumbering needs no edit here.
const ALL = loadMigrations();
const NOTES = ALL.findIndex((m) => m.name.endsWith('_checkpoint_notes.sql'));
const BEFORE = ALL.slice(0, NOTES);
let old: RecordsFixture;
let upgraded: CacheDb;
let key: AuditorKey;
let chain: { tenant: string; table: string; fingerprint: string; lastSeq: bigint; headHash: string; rows: bigint };

before(() => {
  assert.ok(NOTES > 0, 'the checkpoint notes migration is in migrations/cache');
  key = loadOrCreateAuditorKey(join(scratchDir('auditdesk-notes-key-'), 'data'));
  old = createRecordsFixture({ events: 40, conversations: 0, seed: 10, migrations: BEFORE });
  assert.equal(cacheSchemaVersion(old.db), NOTES);
  const head = old.db
    .prepare(
      `SELECT r.tenant_id AS tenant, st.schema_name || '.' || st.table_name AS qualified, st.table_name AS name, s.fingerprint, r.seq, r.hash
         FROM records r JOIN source_tables st USING (table_id) JOIN sources s USING (source_id)
        WHERE r.kind = 'event' ORDER BY r.tenant_id, r.seq DESC LIMIT 1`,
    )
    .safeIntegers(true)
    .get() as { tenant: string; name: string; fingerprint: string; seq: bigint; hash: string };
  const rows = old.db.prepare(`SELECT count(*) FROM records WHERE kind = 'event' AND tenant_id = ?`).safeIntegers(true).pluck().get(head.tenant) as bigint;
  chain = { tenant: head.tenant, table: head.name, fingerprint: head.fingerprint, lastSeq: head.seq, headHash: head.hash, rows };
  // A checkpoint as an earlier version wrote it: the JSON body and its signature, no note column.
  const scratch = openCache(join(scratchDir('auditdesk-notes-fresh-'), 'c.sqlite'));
  const written = recordCheckpoint(scratch, key, {
    origin: 'sync',
    sourceFingerprint: chain.fingerprint,
    tableName: chain.table,
    tenantId: chain.tenant,
    lastSeq: chain.lastSeq,
    headHash: chain.headHash,
    merkleRoot: null,
    rowCount: Number(rows),
  });
  scratch.close();
  old.db
    .prepare(
      `INSERT INTO checkpoints (origin, source_fingerprint, table_name, tenant_id, last_seq, head_hash, merkle_root, row_count, created_at, body_json, signature, public_key) VALUES ('sync', ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
    )
    .run(chain.fingerprint, chain.table, chain.tenant, chain.lastSeq, chain.headHash, chain.rows, written.createdAt, written.bodyJson, written.signature, written.publicKey);
  old.close();
  upgraded = openCache(old.path);
});
after(() => upgraded?.close());

test('a checkpoint recorded before the upgrade keeps verifying in its JSON form, without a note', () => {
  assert.equal(cacheSchemaVersion(upgraded), ALL.length);
  const [c] = listCheckpoints(upgraded, { tenantId: chain.tenant }, key.publicKeyRaw);
  assert.equal(c?.signatureStatus, 'valid');
  assert.equal(c?.note, null);
});

test('a verification after the upgrade records its checkpoint in both forms; the note names the chain and opens with the same key', async () => {
  await runVerification({ cache: { db: upgraded, path: old.path }, tenants: [chain.tenant], key });
  const recorded = listCheckpoints(upgraded, { tenantId: chain.tenant }, key.publicKeyRaw).filter((c) => c.origin === 'verify');
  assert.equal(recorded.length, 1);
  const c = recorded[0]!;
  assert.equal(c.signatureStatus, 'valid');
  const opened = openStoredNote({ note: c.note!, publicKey: c.publicKey!, sourceFingerprint: c.sourceFingerprint, tableName: c.tableName, tenantId: c.tenantId });
  assert.ok(opened.ok, 'the note opens');
  assert.equal(opened.head.origin, chainOrigin(chain.fingerprint, chain.tenant, c.tableName));
  assert.equal(opened.head.size, chain.rows, "every row of the tenant's chain is a leaf");
});

test('a note edited in the table makes its checkpoint invalid', () => {
  upgraded.prepare(`UPDATE checkpoints SET note = replace(note, ?, ?) WHERE origin = 'verify'`).run(`\n${chain.rows}\n`, `\n${chain.rows - 1n}\n`);
  const c = listCheckpoints(upgraded, { tenantId: chain.tenant }, key.publicKeyRaw).find((x) => x.origin === 'verify');
  assert.equal(c?.signatureStatus, 'invalid');
});

test('the checkpoints of one chain are found by the chain index', () => {
  const plan = upgraded.prepare('EXPLAIN QUERY PLAN SELECT note FROM checkpoints WHERE table_name = ? AND tenant_id = ? ORDER BY last_seq').all(chain.table, chain.tenant) as { detail: string }[];
  assert.match(plan.map((p) => p.detail).join('\n'), /SEARCH checkpoints USING INDEX checkpoints_chain \(table_name=\? AND tenant_id=\?\)/);
});

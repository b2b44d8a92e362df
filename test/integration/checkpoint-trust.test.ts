// A checkpoint is evidence only when the auditor signed it. The cache held checkpoints
// whose signature verified under whatever public key their own row carried, so anyone who
// could write the cache file could plant a head signed with a key of their own, or edit one
// of the auditor's, and the next sync or verification called an untouched chain
// "rewritten" (or a rewritten one intact, with that head as its anchor). Only checkpoints
// signed by this data folder's auditor key are compared now; the others are named in the
// report's notes with the reason, and listed with their status in the checkpoint history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { runAuditdesk } from '../helpers/cli.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { recordCheckpoint } from '../../src-main/core/verify/checkpoints.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import type { AppContext } from '../../src-main/core/app/context.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { clientFor, finishedJob } from '../helpers/app-calls.js';
import type { SyncResult } from '../../src-main/core/contract/sync.js';
import type { CheckpointInfo } from '../../src-main/core/contract/integrity.js';

let demo: DemoDb;
let dir: string;
let tenant: string;
const FAKE_HEAD = 'f'.repeat(64);

const cache = () => join(dir, 'cli', 'cache.sqlite');
const dataDir = () => join(dir, 'auditor-data');
const verifyFull = () => runAuditdesk(['verify', '--cache', cache(), '--tenant', tenant, '--full', '--data-dir', dataDir()]);

/** The newest checkpoint the auditor's sync signed: the chain it names and where its head is. */
function newestOwnCheckpoint(path: string): { table: string; fingerprint: string | null; lastSeq: bigint } {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare(`SELECT table_name, source_fingerprint, last_seq FROM checkpoints WHERE tenant_id = ? ORDER BY checkpoint_id DESC LIMIT 1`).safeIntegers(true).get(tenant) as {
      table_name: string;
      source_fingerprint: string | null;
      last_seq: bigint;
    };
    return { table: row.table_name, fingerprint: row.source_fingerprint, lastSeq: row.last_seq };
  } finally {
    db.close();
  }
}

/** What someone able to write the cache file can do: sign a head of their choosing with a key of their own. */
function plantForeignHead(path: string, lastSeq: bigint): number {
  const own = newestOwnCheckpoint(path);
  const stranger = loadOrCreateAuditorKey(join(dir, 'stranger'));
  const db = openCache(path);
  try {
    return recordCheckpoint(db, stranger, {
      origin: 'verify',
      sourceFingerprint: own.fingerprint,
      tableName: own.table,
      tenantId: tenant,
      lastSeq,
      headHash: FAKE_HEAD,
      merkleRoot: null,
      rowCount: null,
    }).checkpointId;
  } finally {
    db.close();
  }
}

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-checkpoint-trust-'));
  tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  mkdirSync(join(dir, 'cli'));
  const first = await runAuditdesk(['sync', '--source', demo.url, '--tenant', tenant, '--cache', cache(), '--data-dir', dataDir()]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
});

after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a head signed by another key, planted in the cache, is not compared: the untouched chain stays intact and the note says why', { timeout: 240_000 }, async () => {
  const head = newestOwnCheckpoint(cache()).lastSeq;
  const planted = plantForeignHead(cache(), head - 10n);

  const verified = await verifyFull();
  assert.equal(verified.code, 0, `a stranger's head is not evidence against the chain: ${verified.stdout}${verified.stderr}`);
  assert.doesNotMatch(verified.stdout, /rewritten/);
  assert.match(
    verified.stdout,
    new RegExp(`checkpoint #${planted} \\(verify, [^)]*\\) of ${tenant} was not compared: it is signed by key [0-9a-f]{16}, not by this data folder's auditor key [0-9a-f]{16}`),
  );
  assert.match(verified.stdout, /--checkpoint/, 'the note gives the way to compare with it anyway');

  const resynced = await runAuditdesk(['sync', '--source', demo.url, '--tenant', tenant, '--cache', cache(), '--data-dir', dataDir()]);
  assert.equal(resynced.code, 0, `nor is it at the end of a sync: ${resynced.stdout}${resynced.stderr}`);
});

test("one of the auditor's own checkpoints edited in the cache is not compared either, and is called edited", { timeout: 240_000 }, async () => {
  const db = new Database(cache());
  let edited: number;
  try {
    // The row and its signed body both say the new head: only the signature can tell.
    const row = db.prepare(`SELECT checkpoint_id, body_json FROM checkpoints WHERE signature IS NOT NULL ORDER BY checkpoint_id LIMIT 1`).get() as { checkpoint_id: number; body_json: string };
    const body = JSON.parse(row.body_json) as Record<string, unknown>;
    db.prepare(`UPDATE checkpoints SET head_hash = ?, body_json = ?, note = NULL WHERE checkpoint_id = ?`).run(FAKE_HEAD, JSON.stringify({ ...body, head_hash: FAKE_HEAD }), row.checkpoint_id);
    edited = row.checkpoint_id;
  } finally {
    db.close();
  }
  const verified = await verifyFull();
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, new RegExp(`checkpoint #${edited} \\([^)]*\\) of ${tenant} was not compared: its signature does not verify over what it says`));
});

test('the app lists a planted head as signed by another key, and its own as valid', { timeout: 240_000 }, async () => {
  let app: AppContext | undefined;
  try {
    app = await appOnDemo(demo, join(dir, 'app'));
    await finishedJob<SyncResult>(app, 'sync.start', { tenants: [tenant] });
    const head = newestOwnCheckpoint(app.cachePath).lastSeq;
    const planted = plantForeignHead(app.cachePath, head);
    const verdict = await finishedJob<{ intact: boolean; notes: string[] }>(app, 'integrity.verify', { target: 'cache', tenants: [tenant] });
    assert.equal(verdict.intact, true, verdict.notes.join('\n'));
    const list: CheckpointInfo[] = await clientFor(app)['integrity.checkpoints']({ tenant });
    assert.equal(list.find((c) => c.checkpointId === planted)?.signature as string, 'other-key');
    assert.ok(list.some((c) => c.checkpointId !== planted && c.signature === 'valid'));
  } finally {
    await app?.shutdown();
  }
});

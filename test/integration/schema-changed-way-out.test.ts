// A source table whose columns changed since it was cached (the client added a column) is
// refused: the old rows could no longer be read back exactly. The refusal's way out said
// "or pass --rebuild", and --rebuild keeps a sound cache as it is, so the auditor got the same
// refusal again. The way out named now is the one that works: a new cache (an engagement or
// --cache FILE), the old one kept as it is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { runAuditdesk } from '../helpers/cli.js';
import { asAdmin } from '../helpers/source-edit.js';

let demo: DemoDb;
let dir: string;
let tenant: string;

const sync = (cache: string, ...extra: string[]) => runAuditdesk(['sync', '--source', demo.url, '--tenant', tenant, '--cache', join(dir, cache), '--data-dir', join(dir, 'data'), ...extra]);

before(async () => {
  demo = await startDemoDb();
  dir = scratchDir('auditdesk-schema-changed-');
  tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  const first = await sync('before.sqlite');
  assert.equal(first.code, 0, first.stderr);
  await asAdmin(demo.adminUrl, (admin) => admin.query(`ALTER TABLE conversation_audit_logs ADD COLUMN review_region text DEFAULT 'eu-west'`));
});

after(async () => {
  await demo?.stop();
});

test('a column added at the source: the refusal names the table and a way out that works', { timeout: 180_000 }, async () => {
  const refused = await sync('before.sqlite');
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /the columns of public\.conversation_audit_logs changed since it was cached/);
  assert.doesNotMatch(refused.stderr, /--rebuild/, 'a sound cache is not rebuilt, so --rebuild is no way out');
  assert.match(refused.stderr, /Sync into a new cache: a new engagement \(the Engagements screen, or `auditdesk engagement create`\) or --cache NEW_FILE/);

  // What the message no longer offers indeed does not help.
  const rebuild = await sync('before.sqlite', '--rebuild');
  assert.equal(rebuild.code, 2);
  assert.match(rebuild.stderr, /changed since it was cached/);

  // The way out it names does.
  const fresh = await sync('after.sqlite');
  assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
  assert.match(fresh.stdout, /conversation_audit_logs/);
});

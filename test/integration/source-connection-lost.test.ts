// A source connection dropped mid-way is told for the work it interrupted: a sync keeps
// what it committed and resumes (sync-resume.test.ts); a verification has no verdict.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { runVerification } from '../../src-main/core/verify/run.js';
import { isUserError } from '../../src-main/core/util/errors.js';

let demo: DemoDb;
let admin: pg.Client;

before(async () => {
  demo = await startDemoDb({ events: 50_000 });
  admin = new pg.Client({ connectionString: demo.adminUrl });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  await demo?.stop();
});

test('a live verification whose connection is terminated says it has no verdict, not to "sync again"', { timeout: 120_000 }, async () => {
  const session = await connectSource(demo.url);
  // The server ends the session before the verification's first query: the same loss as mid-way, without a race.
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'auditdesk'`);
  const error = await runVerification({ session, copy: { target: demo.url }, tenants: demo.groundTruth.tenants }).then(
    () => undefined,
    (e: unknown) => e,
  );
  await session.close().catch(() => undefined);
  assert.ok(isUserError(error), `a UserError, got ${String(error)}`);
  assert.equal(error.code, 'E_CONNECTION_LOST');
  assert.match(
    error.message,
    /^the connection to 127\.0\.0\.1:\d+\/auditdesk_demo was closed mid-way \(.*\); the verification stopped without a verdict and recorded no checkpoint\. Run it again when the server is reachable\.$/,
  );
  assert.doesNotMatch(error.message, /sync|fetched so far/);
});

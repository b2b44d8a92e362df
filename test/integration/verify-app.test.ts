// The Integrity screen's API: integrity.verify runs as a job with progress and
// returns the report, integrity.report gives the latest verdict per chain, and
// integrity.checkpoints lists the signed heads (each usable as an anchor file) —
// all through the same dispatch the UI uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import type { AppContext } from '../../src-main/core/app/context.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { VerifyReport } from '../../src-main/core/contract/integrity.js';
import type { JobStatus } from '../../src-main/core/contract/jobs.js';
import { callApp, clientFor } from '../helpers/app-calls.js';

let demo: DemoDb;
let dir: string;
let ctx: AppContext;

const api = () => clientFor(ctx);

async function verifyJob(input: unknown): Promise<{ status: JobStatus; report: VerifyReport }> {
  // Anchors arrive as the JSON a tenant publishes: the contract validates them at the boundary.
  const { jobId } = await callApp<{ jobId: string }>(ctx, 'integrity.verify', input);
  const status = await ctx.jobs.wait(jobId);
  assert.equal(status.state, 'done', JSON.stringify(status.error));
  return { status, report: status.result as VerifyReport };
}

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-verify-app-'));
  ctx = await appOnDemo(demo, dir, { synced: true });
});

after(async () => {
  ctx?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('verifying the cache as a job reports the planted breaks and stores the verdicts', async () => {
  const truth = demo.groundTruth;
  const { status, report } = await verifyJob({ target: 'cache' });
  assert.equal(status.kind, 'verify');
  assert.equal(status.progress.phase, 'done');
  assert.equal(report.target, 'cache');
  const tampered = report.tenants.find((t) => t.tenant === truth.tamperedTenant)!;
  assert.deepEqual(tampered.breaks.map((b) => b.kind).sort(), ['deleted', 'modified']);
  assert.equal(report.tenants.filter((t) => t.intact).length, truth.tenants.length - 1);

  const latest = await api()['integrity.report']({});
  assert.equal(latest.chains.length, truth.tenants.length);
  assert.equal(latest.chains.find((c) => c.tenant === truth.tamperedTenant)!.intact, false);
  assert.equal(latest.lastRun!.intact, false);
  const one = await api()['integrity.report']({ tenant: truth.tamperedTenant });
  assert.deepEqual(
    one.chains.map((c) => c.tenant),
    [truth.tamperedTenant],
  );
});

test('checkpoints are listed with a valid signature and can be handed back as anchors', async () => {
  const truth = demo.groundTruth;
  const cps = await api()['integrity.checkpoints']({ tenant: truth.tamperedTenant });
  assert.ok(cps.length >= 1);
  assert.ok(cps.every((c) => c.signature === 'valid' && c.origin === 'verify'));
  // The anchor saved before the tampering, as the tenant would publish it: the rewrite shows.
  const { report } = await verifyJob({ target: 'source', tenants: [truth.tamperedTenant], anchors: [truth.anchor, cps[0]!.anchor] });
  const chain = report.tenants[0]!;
  assert.ok(
    chain.breaks.some((b) => b.kind === 'rewritten' && b.seq === truth.anchor.last_seq),
    JSON.stringify(chain.breaks),
  );
  const outcomes = chain.checkpoints.map((c) => `${c.origin}:${c.outcome}:${c.signature}`);
  assert.ok(outcomes.includes('external:rewritten:unsigned'), outcomes.join());
  assert.ok(outcomes.includes('external:extended:valid'), outcomes.join());
});

test('bad input is refused at the door', async () => {
  const reply = await dispatch(ctx, 'integrity.verify', { target: 'cache', anchors: [{ tenant: 't', table: 'audit_logs', last_seq: 1, head_hash: 'nothex' }] });
  assert.equal(reply.ok, false);
  assert.equal(!reply.ok && reply.error.code, 'E_INPUT');
});

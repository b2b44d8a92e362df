// The Integrity screen's external anchor: an anchor file (the format of the CLI's
// `verify --checkpoint FILE`) is checked by the same verification run, each head gets
// its outcome and the break where the chain leaves it, and it can be recorded as a
// signed `external` checkpoint that later runs compare with — through dispatch, as the UI calls it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import type { AppContext } from '../../src-main/core/app/context.js';
import { appOnDemo } from '../helpers/app-on-demo.js';
import { dispatch } from '../../src-main/core/app/dispatch.js';
import type { AnchorCheckResult, VerifyReport } from '../../src-main/core/contract/integrity.js';
import { clientFor, finishedJob } from '../helpers/app-calls.js';

let demo: DemoDb;
let dir: string;
let ctx: AppContext;

const api = () => clientFor(ctx);

before(async () => {
  demo = await startDemoDb();
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-anchors-'));
  ctx = await appOnDemo(demo, dir, { synced: true });
});

after(async () => {
  ctx?.close();
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the head saved before the tampering is reported rewritten, with the break that says where', async () => {
  const truth = demo.groundTruth;
  const result = await finishedJob<AnchorCheckResult>(ctx, 'integrity.checkAnchors', { file: truth.anchor });
  assert.equal(result.target, 'cache');
  assert.equal(result.anchors.length, 1);
  const a = result.anchors[0]!;
  assert.equal(a.tenant, truth.tamperedTenant);
  assert.equal(a.outcome, 'rewritten');
  assert.equal(a.signature, 'unsigned');
  assert.equal(a.recorded, null);
  assert.notEqual(a.foundHash, truth.anchor.head_hash);
  assert.equal(a.divergence?.kind, 'rewritten');
  assert.ok(Number(a.divergence!.seq) <= truth.anchor.last_seq, JSON.stringify(a.divergence));
});

test('a head saved from this cache is extended, in any of the three file shapes', async () => {
  const truth = demo.groundTruth;
  const intact = truth.tenants.find((t) => t !== truth.tamperedTenant)!;
  await finishedJob<VerifyReport>(ctx, 'integrity.verify', { target: 'cache', tenants: [intact] });
  // "Save head": the newest head this app saw itself (a recorded external one is not it).
  const [cp] = await api()['integrity.checkpoints']({ tenant: intact, origins: ['sync', 'verify'], limit: 1 });
  assert.ok(cp);
  for (const file of [cp.anchor, [cp.anchor], { anchors: [cp.anchor] }]) {
    const result = await finishedJob<AnchorCheckResult>(ctx, 'integrity.checkAnchors', { file });
    assert.equal(result.anchors[0]!.outcome, 'extended');
    assert.equal(result.anchors[0]!.signature, 'valid');
    assert.equal(result.anchors[0]!.divergence, null);
  }
  // The check is a real verification: its verdicts are the latest ones.
  const report = await api()['integrity.report']({});
  assert.ok(report.lastRun);
});

test('recording an anchor adds one signed external checkpoint that later verifications compare with', async () => {
  const truth = demo.groundTruth;
  const heads = await api()['integrity.recordAnchors']({ file: { anchors: [truth.anchor] } });
  assert.equal(heads[0]!.recorded?.signature, 'valid');
  const again = await api()['integrity.recordAnchors']({ file: truth.anchor });
  assert.equal(again[0]!.recorded?.checkpointId, heads[0]!.recorded!.checkpointId, 'recorded once');
  const external = await api()['integrity.checkpoints']({ origins: ['external'] });
  assert.equal(external.length, 1);
  assert.equal(external[0]!.tenant, truth.tamperedTenant);
  assert.equal(String(external[0]!.lastSeq), String(truth.anchor.last_seq));

  // A plain verification, without the file, now finds the rewrite from the history alone.
  const { jobId } = await api()['integrity.verify']({ target: 'cache', tenants: [truth.tamperedTenant] });
  const report = (await ctx.jobs.wait(jobId)).result as VerifyReport;
  const chain = report.tenants[0]!;
  assert.ok(chain.checkpoints.some((c) => c.origin === 'external' && c.checkpointId === heads[0]!.recorded!.checkpointId && c.outcome === 'rewritten'));
  assert.ok(chain.breaks.some((b) => b.kind === 'rewritten'));

  const checked = await finishedJob<AnchorCheckResult>(ctx, 'integrity.checkAnchors', { file: truth.anchor });
  assert.equal(checked.anchors[0]!.recorded?.checkpointId, heads[0]!.recorded!.checkpointId);
});

test('a head beyond the end of the chain: truncated at the live source, merely not reached in the cache', async () => {
  const truth = demo.groundTruth;
  const intact = truth.tenants.find((t) => t !== truth.tamperedTenant)!;
  const head = { tenant: intact, table: 'audit_logs', last_seq: truth.chainHeads[intact]!.last_seq + 10, head_hash: 'c'.repeat(64) };
  const live = await finishedJob<AnchorCheckResult>(ctx, 'integrity.checkAnchors', { file: head, target: 'source' });
  assert.equal(live.target, 'source');
  assert.equal(live.anchors[0]!.outcome, 'truncated');
  assert.equal(live.anchors[0]!.divergence?.kind, 'truncated');
  assert.equal(String(live.anchors[0]!.divergence?.seq), String(truth.chainHeads[intact]!.last_seq + 1));
  const offline = await finishedJob<AnchorCheckResult>(ctx, 'integrity.checkAnchors', { file: head });
  assert.equal(offline.anchors[0]!.outcome, 'not-reached', 'a cache may simply be out of date');
  assert.equal(offline.anchors[0]!.divergence, null);
});

test('a head of a tenant the cache does not hold is not checked, and says so', async () => {
  const result = await finishedJob<AnchorCheckResult>(ctx, 'integrity.checkAnchors', {
    file: { tenant: 'nobody', table: 'audit_logs', last_seq: 3, head_hash: 'a'.repeat(64) },
  });
  assert.equal(result.anchors[0]!.outcome, null);
  assert.ok(
    result.notes.some((n) => n.includes('nobody')),
    result.notes.join(' | '),
  );
});

test('a malformed anchor file or a forged signature is refused at the door with one clear line', async () => {
  const bad = await dispatch(ctx, 'integrity.checkAnchors', { file: { tenant: 't', table: 'audit_logs', last_seq: 1, head_hash: 'XYZ' } });
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.error.code === 'E_INPUT' && /head_hash must be 64/.test(bad.error.message), JSON.stringify(bad));
  const empty = await dispatch(ctx, 'integrity.checkAnchors', { file: [] });
  assert.ok(!empty.ok && /holds no head/.test(empty.error.message));

  const [cp] = await api()['integrity.checkpoints']({ origins: ['verify'], limit: 1 });
  const forged = { ...cp!.anchor, head_hash: 'b'.repeat(64) };
  const refused = await dispatch(ctx, 'integrity.recordAnchors', { file: forged });
  assert.ok(!refused.ok && refused.error.code === 'E_ANCHOR_SIGNATURE', JSON.stringify(refused));
  const external = await api()['integrity.checkpoints']({ origins: ['external'] });
  assert.ok(external.every((c) => c.headHash !== forged.head_hash));
});

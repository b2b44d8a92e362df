// Every verdict states what it could not see (issues 20 and 21), against real
// PostgreSQL: a typo'd tenant is EMPTY (exit 1), a tail deletion verified from the
// source alone is intact only "as far as this run can see" (no_anchor) and truncated
// with an anchor, a policy with an extra predicate is a hidden_rows limit, and a json
// value v1 cannot protect is a number_precision / duplicate_key limit under v1 and a
// modified break under jcs-exact-sha256-v2.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startDemoDb, type DemoDb, type GroundTruth } from '../helpers/demo-db.js';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { JCS_EXACT_SHA256_V2, JCS_SHA256_V1, type ChainProfile } from '../../src-main/core/chain/profile.js';
import { tableColumns } from '../../src-main/core/demo/generate.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { loadAnchorFile } from '../../src-main/core/verify/checkpoints.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';
import { runVerification, type VerifyOptions } from '../../src-main/core/verify/run.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { syncToCache } from '../../src-main/core/sync/index.js';

const run = promisify(execFile);

let demo: DemoDb;
let truth: GroundTruth;
let dir: string;
let admin: pg.Client;
/** The demo's two intact tenants: one loses its tail, the other carries the json values. */
let tailTenant: string;
let numberTenant: string;

before(async () => {
  demo = await startDemoDb();
  truth = demo.groundTruth;
  [tailTenant, numberTenant] = truth.tenants.filter((t) => t !== truth.tamperedTenant) as [string, string];
  assert.ok(numberTenant, 'the demo has two intact tenants');
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-verify-limits-'));
  admin = new pg.Client({ connectionString: demo.adminUrl, options: '-c TimeZone=UTC -c DateStyle=ISO,YMD', types: { getTypeParser: () => (v: string) => v } });
  await admin.connect();
});

after(async () => {
  await admin?.end();
  await demo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function verify(opts: Omit<VerifyOptions, 'session'>): Promise<VerifyReport> {
  const session = await connectSource(demo.url);
  try {
    return await runVerification({ session, ...opts });
  } finally {
    await session.close();
  }
}

const cli = new URL(import.meta.url).pathname.replace(/test\/integration\/verify-limits\.test\.js$/, 'src-main/cli/main.js');
async function verifyCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [cli, 'verify', '--data-dir', join(dir, `cli-${Math.random().toString(36).slice(2)}`), ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

/** As a writer (or a tamperer) with the table's owner rights: the immutability trigger set aside. */
async function asOwner(work: () => Promise<void>): Promise<void> {
  await admin.query('BEGIN');
  await admin.query('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_immutable');
  await work();
  await admin.query('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_immutable');
  await admin.query('COMMIT');
}

/** Sets action_details of the tenant's last row and writes its hash as `profile` would (a correct row). */
async function writeLastDetails(tenant: string, details: string, profile: ChainProfile): Promise<string> {
  const columns = await tableColumns(admin, 'audit_logs');
  const payload = makePayloadBuilder(columns, profile);
  let seq = '';
  await asOwner(async () => {
    const last = await admin.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_logs WHERE tenant_id = $1', [tenant]);
    seq = last.rows[0]!.seq;
    await admin.query('UPDATE audit_logs SET action_details = $3 WHERE tenant_id = $1 AND seq = $2', [tenant, seq, details]);
    const row = await admin.query<(string | null)[]>({
      text: `SELECT ${columns.map((c) => `"${c.name}"::text`).join(', ')} FROM audit_logs WHERE tenant_id = $1 AND seq = $2`,
      values: [tenant, seq],
      rowMode: 'array',
    });
    const values = row.rows[0]!;
    const hash = chainHash(values[columns.findIndex((c) => c.name === 'prev_hash')]!, payload(values), profile);
    await admin.query('UPDATE audit_logs SET hash = $3 WHERE tenant_id = $1 AND seq = $2', [tenant, seq, hash]);
  });
  return seq;
}

async function tamperLastDetails(tenant: string, seq: string, details: string): Promise<void> {
  await asOwner(async () => {
    await admin.query('UPDATE audit_logs SET action_details = $3 WHERE tenant_id = $1 AND seq = $2', [tenant, seq, details]);
  });
}

describe('the demo exercises both profiles (issue 20)', () => {
  test('the ground truth names the one tenant written with jcs-exact-sha256-v2, and it verifies intact with it (and, its values being plain, with v1)', async () => {
    const v2 = Object.entries(truth.chainProfiles)
      .filter(([, p]) => p === 'jcs-exact-sha256-v2')
      .map(([t]) => t);
    assert.equal(v2.length, 1);
    assert.notEqual(v2[0], truth.tamperedTenant);
    assert.equal(Object.keys(truth.chainProfiles).length, truth.tenants.length);
    const exact = await verify({ tenants: v2, profile: JCS_EXACT_SHA256_V2 });
    assert.equal(exact.tenants[0]!.verdict, 'intact');
    assert.equal(exact.tenants[0]!.headHash, truth.chainHeads[v2[0]!]!.hash);
    assert.equal((await verify({ tenants: v2, profile: JCS_SHA256_V1 })).tenants[0]!.verdict, 'intact');
  });
});

describe('an empty chain is a finding (issue 21)', () => {
  test("a typo'd tenant: EMPTY with the sentence, never intact; exit 1 in the CLI text and --json", async () => {
    const typo = `${tailTenant}x`;
    const report = await verify({ tenants: [typo] });
    assert.equal(report.verdict, 'empty');
    assert.equal(report.intact, false);
    const chain = report.tenants[0]!;
    assert.equal(chain.verdict, 'empty');
    assert.equal(chain.intact, false);
    assert.match(chain.verdictExplanation!, new RegExp(`^no rows are visible for tenant ${typo}: the id may be wrong, row-level security may hide them from this role, or the chain was removed\\.`));

    const text = await verifyCli(['--source', demo.url, '--tenant', typo]);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, new RegExp(`EMPTY +audit_logs · tenant ${typo}: empty;`));
    assert.match(text.stdout, /no rows are visible for tenant/);
    assert.match(text.stdout, /^EMPTY: 1 of 1 chain\(s\) have no visible rows/m);
    assert.doesNotMatch(text.stdout, /INTACT|All 1 chain/);

    const json = await verifyCli(['--source', demo.url, '--tenant', typo, '--json']);
    assert.equal(json.code, 1, json.stderr);
    const parsed = JSON.parse(json.stdout) as VerifyReport;
    assert.equal(parsed.verdict, 'empty');
    assert.equal(parsed.tenants[0]!.verdict, 'empty');
  });

  test('offline, a tenant the cache does not hold is EMPTY too (exit 1), with the count of tenants it does hold', async () => {
    const path = join(dir, 'typo-cache.sqlite');
    const db = openCache(path);
    const session = await connectSource(demo.url);
    try {
      await syncToCache(session, db, { tenants: [tailTenant] });
    } finally {
      await session.close();
      db.close();
    }
    const r = await verifyCli(['--cache', path, '--tenant', `${tailTenant}x`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /EMPTY +audit_logs · tenant \S+x: empty;/);
    assert.match(r.stdout, /1 other tenant\(s\) are held in this cache: check the id\./);
  });

  test('when other tenants are visible to the session, the sentence says how many', async () => {
    // A URL naming tenants makes them visible to the session (source/target.ts).
    const url = `${demo.url}${demo.url.includes('?') ? '&' : '?'}tenant=${tailTenant}&tenant=${numberTenant}`;
    const session = await connectSource(url);
    try {
      const report = await runVerification({ session, tenants: ['nobody'] });
      assert.match(report.tenants[0]!.verdictExplanation!, /2 other tenant\(s\) are visible to this session: check the id\./);
    } finally {
      await session.close();
    }
  });
});

describe('no anchor is a stated blind spot (issue 21)', () => {
  test('a tail deletion seen from the source alone: intact as far as this run can see, with no_anchor; truncated with an anchor', async () => {
    const before = await verify({ tenants: [tailTenant] });
    const anchor = { tenant: tailTenant, table: 'audit_logs', last_seq: before.tenants[0]!.lastSeq, head_hash: before.tenants[0]!.headHash };
    await asOwner(async () => {
      await admin.query(
        'DELETE FROM audit_logs a WHERE tenant_id = $1 AND seq > (SELECT max(seq) - 10 FROM audit_logs WHERE tenant_id = $1) AND NOT EXISTS (SELECT 1 FROM audit_anomalies n WHERE n.audit_event_id = a.id)',
        [tailTenant],
      );
    });

    const alone = await verify({ tenants: [tailTenant] });
    const chain = alone.tenants[0]!;
    assert.equal(chain.verdict, 'intact');
    assert.equal(chain.anchor, null);
    assert.deepEqual(
      chain.limits.map((l) => l.kind),
      ['no_anchor'],
    );
    assert.match(chain.limits[0]!.explanation, /rows removed from the end of the chain/);

    const text = await verifyCli(['--source', demo.url, '--tenant', tailTenant]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /INTACT +audit_logs · tenant \S+: intact as far as this run can see;/);
    assert.match(text.stdout, /limit \[no_anchor\] no earlier checkpoint/);
    const json = JSON.parse((await verifyCli(['--source', demo.url, '--tenant', tailTenant, '--json'])).stdout) as VerifyReport;
    assert.equal(json.tenants[0]!.anchor, null);
    assert.equal(json.tenants[0]!.limits[0]!.kind, 'no_anchor');

    const anchorFile = join(dir, 'head.json');
    writeFileSync(anchorFile, JSON.stringify(anchor));
    const anchored = await verify({ tenants: [tailTenant], anchors: loadAnchorFile(anchorFile) });
    const c = anchored.tenants[0]!;
    assert.equal(c.verdict, 'broken');
    assert.deepEqual(
      c.breaks.map((b) => b.kind),
      ['truncated'],
    );
    assert.equal(c.anchor?.origin, 'external');
    assert.match(c.anchor!.label, /head\.json/);
    assert.ok(!c.limits.some((l) => l.kind === 'no_anchor'));
    const cliAnchored = await verifyCli(['--source', demo.url, '--tenant', tailTenant, '--checkpoint', anchorFile]);
    assert.equal(cliAnchored.code, 1);
    assert.match(cliAnchored.stdout, /checked against anchor head\.json/);
  });

  test("a first sync's verdict has no earlier checkpoint either: the one it just recorded of the same rows is no anchor", async () => {
    // The tail is gone at the source (the test above): the first sync knows no more than
    // `verify --source` alone, and says no more.
    const dataDir = join(dir, 'sync-data');
    const cache = join(dir, 'sync-anchor.sqlite');
    const sync = async () => {
      try {
        return (await run(process.execPath, [cli, 'sync', '--source', demo.url, '--tenant', tailTenant, '--cache', cache, '--data-dir', dataDir])).stdout;
      } catch (e) {
        assert.fail(`sync failed: ${(e as { stderr: string }).stderr}`);
      }
    };
    const first = await sync();
    assert.match(first, /INTACT +audit_logs · tenant \S+: intact as far as this run can see;/);
    assert.match(first, /limit \[no_anchor\] no earlier checkpoint/);
    assert.doesNotMatch(first, /checked against checkpoint/);

    // The next sync has one: the head the first recorded, not the one it records itself.
    const second = await sync();
    assert.match(second, /INTACT +audit_logs · tenant \S+: intact;/);
    assert.match(second, /checked against checkpoint #1 \(sync, /);
    assert.doesNotMatch(second, /no_anchor/);
  });
});

describe('values v1 cannot protect (issue 20)', () => {
  test('the 2^53 tamper in action_details: a number_precision limit at that seq under v1, a modified break under v2', async () => {
    const seq = await writeLastDetails(numberTenant, '{"ref": 9007199254740992, "op": "wire"}', JCS_EXACT_SHA256_V2);
    const clean = await verify({ tenants: [numberTenant], profile: JCS_EXACT_SHA256_V2 });
    assert.equal(clean.tenants[0]!.verdict, 'intact', 'written under v2, the chain verifies under v2');
    await tamperLastDetails(numberTenant, seq, '{"ref": 9007199254740993, "op": "wire"}');

    const v1 = await verify({ tenants: [numberTenant], profile: JCS_SHA256_V1 });
    const chain = v1.tenants[0]!;
    assert.equal(chain.verdict, 'intact');
    const limit = chain.limits.find((l) => l.kind === 'number_precision');
    assert.ok(limit && limit.kind === 'number_precision');
    assert.equal(limit.rows, 1);
    assert.equal(String(limit.firstSeq), seq);
    assert.deepEqual(limit.seqs.map(String), [seq]);
    const text = await verifyCli(['--source', demo.url, '--tenant', numberTenant]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /intact, with 1 unprotected value\(s\);/);
    assert.match(
      text.stdout,
      new RegExp(`limit \\[number_precision\\] 1 rows carry values this profile \\(jcs-sha256-v1\\) cannot protect .*: changes to them would not be detected; first at seq ${seq}\\.`),
    );

    const v2 = await verify({ tenants: [numberTenant], profile: JCS_EXACT_SHA256_V2 });
    assert.equal(v2.tenants[0]!.verdict, 'broken');
    assert.deepEqual(
      v2.tenants[0]!.breaks.map((b) => `${b.kind}@${b.seq}`),
      [`modified@${seq}`],
    );
    assert.ok(!v2.tenants[0]!.limits.some((l) => l.kind === 'number_precision'));
    const cli2 = await verifyCli(['--source', demo.url, '--tenant', numberTenant, '--profile', 'jcs-exact-sha256-v2', '--json']);
    assert.equal(cli2.code, 1);
    const text2 = await verifyCli(['--source', demo.url, '--tenant', numberTenant, '--profile', 'jcs-exact-sha256-v2']);
    assert.equal(text2.code, 1);
    assert.match(text2.stdout, new RegExp(`BROKEN +audit_logs · tenant ${numberTenant}: broken;.*1 break\\(s\\)`));
    assert.match(text2.stdout, new RegExp(`  \\[modified\\] Row seq ${seq} .* was changed after it was written`));
    const r2 = JSON.parse(cli2.stdout) as VerifyReport;
    assert.equal(r2.profile.name, 'jcs-exact-sha256-v2');
    assert.equal(r2.tenants[0]!.breaks[0]!.kind, 'modified');
    // --profile-map names the profile per tenant: the v2 chain breaks, the other stays v1 and intact.
    const map = join(dir, 'profiles.json');
    writeFileSync(map, JSON.stringify({ [numberTenant]: 'jcs-exact-sha256-v2' }));
    const mapped = await verifyCli(['--source', demo.url, '--tenant', numberTenant, '--tenant', tailTenant, '--profile-map', map, '--json']);
    const byTenant = new Map((JSON.parse(mapped.stdout) as VerifyReport).tenants.map((c) => [c.tenant, c]));
    assert.deepEqual(
      byTenant.get(numberTenant)!.breaks.map((b) => `${b.kind}@${b.seq}`),
      [`modified@${seq}`],
    );
    assert.equal(byTenant.get(tailTenant)!.verdict === 'broken', false, 'the v1 tenant is not broken by the map');
    const bad = join(dir, 'bad-profiles.json');
    writeFileSync(bad, JSON.stringify({ [numberTenant]: 'jcs-sha256-v9' }));
    const refused = await verifyCli(['--source', demo.url, '--tenant', numberTenant, '--profile-map', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /the profile map .*bad-profiles\.json names an unknown profile "jcs-sha256-v9" for tenant/);
  });

  test('a repeated key in a json column: a duplicate_key limit under v1, a modified break under v2', async () => {
    // jsonb → json keeps every stored value's canonical form, so the chains still verify.
    await admin.query('ALTER TABLE audit_logs ALTER COLUMN action_details TYPE json');
    try {
      // Unlike the number above, a repeated key gives v1 and v2 different payloads: each
      // profile's case is written by a writer using it.
      const seq = await writeLastDetails(numberTenant, '{"amount": 10, "amount": 20}', JCS_SHA256_V1);
      await tamperLastDetails(numberTenant, seq, '{"amount": 99999, "amount": 20}');
      const v1 = await verify({ tenants: [numberTenant], profile: JCS_SHA256_V1 });
      assert.equal(v1.tenants[0]!.verdict, 'intact');
      const limit = v1.tenants[0]!.limits.find((l) => l.kind === 'duplicate_key');
      assert.ok(limit && limit.kind === 'duplicate_key' && String(limit.firstSeq) === seq);
      const text = await verifyCli(['--source', demo.url, '--tenant', numberTenant]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /intact, with 1 unprotected value\(s\);/);
      assert.match(
        text.stdout,
        new RegExp(
          `limit \\[duplicate_key\\] 1 rows carry values this profile \\(jcs-sha256-v1\\) cannot protect \\(repeated keys in a json value\\): changes to them would not be detected; first at seq ${seq}\\.`,
        ),
      );
      const json = JSON.parse((await verifyCli(['--source', demo.url, '--tenant', numberTenant, '--json'])).stdout) as VerifyReport;
      const listed = json.tenants[0]!.limits.find((l) => l.kind === 'duplicate_key');
      assert.ok(listed && listed.kind === 'duplicate_key');
      assert.deepEqual([listed.rows, String(listed.firstSeq), listed.seqs.map(String)], [1, seq, [seq]]);
      await writeLastDetails(numberTenant, '{"amount": 10, "amount": 20}', JCS_EXACT_SHA256_V2);
      await tamperLastDetails(numberTenant, seq, '{"amount": 99999, "amount": 20}');
      const v2 = await verify({ tenants: [numberTenant], profile: JCS_EXACT_SHA256_V2 });
      assert.deepEqual(
        v2.tenants[0]!.breaks.map((b) => `${b.kind}@${b.seq}`),
        [`modified@${seq}`],
      );
      const v2Text = await verifyCli(['--source', demo.url, '--tenant', numberTenant, '--profile', 'jcs-exact-sha256-v2']);
      assert.equal(v2Text.code, 1);
      assert.match(v2Text.stdout, new RegExp(`  \\[modified\\] Row seq ${seq} .* was changed after it was written`));
      const v2Json = JSON.parse((await verifyCli(['--source', demo.url, '--tenant', numberTenant, '--profile', 'jcs-exact-sha256-v2', '--json'])).stdout) as VerifyReport;
      assert.deepEqual(
        v2Json.tenants[0]!.breaks.map((b) => `${b.kind}@${b.seq}`),
        [`modified@${seq}`],
      );
      assert.ok(!v2Json.tenants[0]!.limits.some((l) => l.kind === 'duplicate_key'));
    } finally {
      await admin.query('ALTER TABLE audit_logs ALTER COLUMN action_details TYPE jsonb');
    }
  });
});

describe('rows a policy may hide (issue 21)', () => {
  test('a policy that also filters on the event type is a hidden_rows limit naming the predicate, and the policies are reported', async () => {
    await admin.query(`ALTER POLICY tenant_isolation ON audit_logs
                         USING (tenant_id = current_setting('app.current_tenant_id', true) AND event_type <> 'export')`);
    try {
      const report = await verify({ tenants: [tailTenant] });
      const limit = report.tenants[0]!.limits.find((l) => l.kind === 'hidden_rows');
      assert.ok(limit && limit.kind === 'hidden_rows');
      assert.deepEqual(limit.predicates, ["event_type <> 'export'::text"]);
      assert.match(limit.explanation, /this role may not see every row of the tenant/);
      assert.equal(report.policies?.[0]?.table, 'audit_logs');
      assert.match(report.policies![0]!.policies[0]!.using!, /event_type <> 'export'/);
      const text = await verifyCli(['--source', demo.url, '--tenant', tailTenant]);
      assert.match(text.stdout, /limit \[hidden_rows\] this role may not see every row/);
    } finally {
      await admin.query(`ALTER POLICY tenant_isolation ON audit_logs USING (tenant_id = current_setting('app.current_tenant_id', true))`);
    }
    const restored = await verify({ tenants: [tailTenant] });
    assert.ok(!restored.tenants[0]!.limits.some((l) => l.kind === 'hidden_rows'));
  });
});

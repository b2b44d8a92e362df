// Each chain's hash-chain profile is known from the data (issue 20): sync records each
// tenant's profile (--profile, --profile-map, "profiles" in the mapping; the app's demo
// sync from the ground truth) and verify --cache, export and verify-package use it
// without --profile. The demo's v2 tenant here ends with a json number only v2 protects
// (2^53 + 1, hashed under v2): checked with v1 that row cannot verify.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoDb, type DemoDb, type GroundTruth } from '../helpers/demo-db.js';
import { runAuditdesk } from '../helpers/cli.js';
import { JCS_EXACT_SHA256_V2, JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { connectSource } from '../../src-main/core/source/index.js';
import { runVerification } from '../../src-main/core/verify/run.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';
import { openCache } from '../../src-main/core/cache/open.js';
import { AppContext } from '../../src-main/core/app/context.js';
import { saveDemoProfile } from '../../src-main/bridge/startup.js';
import { runSyncJob } from '../../src-main/core/app/sync-job.js';
import { loadOrCreateAuditorKey } from '../../src-main/core/identity/auditor-key.js';
import { createIdentity, loadIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { verifyPackage } from '../../src-main/core/export/verify-package.js';
import { zipEntry } from '../helpers/package-zip.js';
import { editAsOwner, hashOfRow, lastSeqOf } from '../helpers/source-edit.js';

const V2 = JCS_EXACT_SHA256_V2.name;

let demo: DemoDb;
let truth: GroundTruth;
let dir: string;
let v2Tenant: string;
let v1Tenant: string;

before(async () => {
  demo = await startDemoDb();
  truth = demo.groundTruth;
  v2Tenant = Object.entries(truth.chainProfiles).find(([, p]) => p === V2)![0];
  v1Tenant = truth.tenants.find((t) => t !== v2Tenant && t !== truth.tamperedTenant)!;
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-chain-profile-'));
  exactSeq = await writeLastRowUnderV2(v2Tenant, '{"op": "wire", "ref": 9007199254740993}');
});

let exactSeq: number;

/** As the v2 writer would: the tenant's last row carries `details`, hashed under jcs-exact-sha256-v2. */
async function writeLastRowUnderV2(tenant: string, details: string): Promise<number> {
  return editAsOwner(demo.adminUrl, async (admin) => {
    const seq = await lastSeqOf(admin, tenant);
    await admin.query('UPDATE audit_logs SET action_details = $3 WHERE tenant_id = $1 AND seq = $2', [tenant, seq, details]);
    await admin.query('UPDATE audit_logs SET hash = $3 WHERE tenant_id = $1 AND seq = $2', [tenant, seq, await hashOfRow(admin, tenant, seq, JCS_EXACT_SHA256_V2)]);
    return Number(seq);
  });
}

after(async () => {
  await demo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const auditdesk = (args: string[]) => runAuditdesk([...args, '--data-dir', join(dir, 'data')]);

/** verify --cache --json of both tenants; `exit`: 0 when all is intact and seen, 1 with a limit. */
async function verifyCacheJson(cache: string, exit = 0): Promise<VerifyReport> {
  const r = await auditdesk(['verify', '--cache', cache, '--tenant', v2Tenant, '--tenant', v1Tenant, '--json']);
  assert.equal(r.code, exit, r.stderr);
  return JSON.parse(r.stdout) as VerifyReport;
}

const chainOf = (r: VerifyReport, tenant: string) => r.tenants.find((c) => c.tenant === tenant)!;
const limitKinds = (r: VerifyReport, tenant: string) => (chainOf(r, tenant).limits ?? []).map((l) => l.kind);

test("the v2 tenant's chain verifies intact with v2 and cannot verify with v1 (the value v1 cannot hold)", async () => {
  const session = await connectSource(demo.url);
  try {
    const v1 = await runVerification({ session, tenants: [v2Tenant], profile: JCS_SHA256_V1 });
    assert.equal(v1.tenants[0]!.verdict, 'broken');
    const lost = v1.tenants[0]!.limits?.find((l) => l.kind === 'number_precision');
    assert.ok(lost && lost.kind === 'number_precision');
    assert.deepEqual(lost.seqs, [exactSeq]);
    const v2 = await runVerification({ session, tenants: [v2Tenant], profile: JCS_EXACT_SHA256_V2 });
    assert.equal(v2.tenants[0]!.verdict, 'intact');
  } finally {
    await session.close();
  }
});

describe("sync records each chain's profile; verify --cache and export use it", () => {
  test("a cache synced without a profile verifies every chain with v1 (the v2 tenant's last row does not verify)", async () => {
    const cache = join(dir, 'plain.sqlite');
    const s = await auditdesk(['sync', '--source', demo.url, '--tenant', v2Tenant, '--tenant', v1Tenant, '--cache', cache]);
    // The sync's own verdict already says so (issue 17), and exits 1 like verify.
    assert.equal(s.code, 1, s.stderr);
    assert.match(s.stdout, new RegExp(`${v2Tenant}.*broken`));
    const r = await verifyCacheJson(cache, 1);
    assert.equal(chainOf(r, v2Tenant).verdict, 'broken');
    assert.deepEqual(
      chainOf(r, v2Tenant).breaks.map((b) => `${b.kind}@${b.seq}`),
      [`modified@${exactSeq}`],
    );
    assert.equal(r.profile.name, JCS_SHA256_V1.name);
  });

  test('sync --mapping with {"profiles": {tenant: name}} records v2 for that tenant only: verify --cache checks it with v2, the other with v1', async () => {
    const cache = join(dir, 'mapped.sqlite');
    const mapping = join(dir, 'mapping.json');
    writeFileSync(mapping, JSON.stringify({ profiles: { [v2Tenant]: V2 } }));
    const s = await auditdesk(['sync', '--source', demo.url, '--tenant', v2Tenant, '--tenant', v1Tenant, '--cache', cache, '--mapping', mapping]);
    assert.equal(s.code, 0, s.stderr);
    const r = await verifyCacheJson(cache);
    assert.equal(chainOf(r, v2Tenant).verdict, 'intact');
    assert.ok(!limitKinds(r, v2Tenant).includes('number_precision'), JSON.stringify(chainOf(r, v2Tenant).limits));
    assert.equal(chainOf(r, v1Tenant).verdict, 'intact');
    const text = await auditdesk(['verify', '--cache', cache, '--tenant', v2Tenant]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`with profile ${V2}`));
  });

  test('sync --profile-map FILE records the same; a later sync without it keeps what was recorded', async () => {
    const cache = join(dir, 'map.sqlite');
    const map = join(dir, 'profiles.json');
    writeFileSync(map, JSON.stringify({ [v2Tenant]: V2, [v1Tenant]: JCS_SHA256_V1.name }));
    assert.equal((await auditdesk(['sync', '--source', demo.url, '--tenant', v2Tenant, '--tenant', v1Tenant, '--cache', cache, '--profile-map', map])).code, 0);
    assert.equal((await auditdesk(['sync', '--source', demo.url, '--tenant', v2Tenant, '--cache', cache])).code, 0);
    const r = await verifyCacheJson(cache);
    assert.equal(chainOf(r, v2Tenant).verdict, 'intact');
    const db = openCache(cache);
    try {
      const recorded = db.prepare("SELECT tenant_id, json_extract(profile_json, '$.name') AS name FROM chain_profiles ORDER BY tenant_id").all();
      assert.deepEqual(
        recorded,
        [
          { tenant_id: v2Tenant, name: V2 },
          { tenant_id: v1Tenant, name: JCS_SHA256_V1.name },
        ].sort((a, b) => a.tenant_id.localeCompare(b.tenant_id)),
      );
    } finally {
      db.close();
    }
  });

  test('a profile map naming an unknown profile is one line naming it, exit 2, and no cache is created', async () => {
    const map = join(dir, 'bad-profiles.json');
    writeFileSync(map, JSON.stringify({ [v2Tenant]: 'jcs-sha256-v9' }));
    const r = await auditdesk(['sync', '--source', demo.url, '--tenant', v2Tenant, '--cache', join(dir, 'bad.sqlite'), '--profile-map', map]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^auditdesk: the profile map .*bad-profiles\\.json names an unknown profile "jcs-sha256-v9" for tenant ${v2Tenant}\\. Use one of`, 'm'));
    assert.equal(existsSync(join(dir, 'bad.sqlite')), false);
  });

  test('a package of the v2 tenant records jcs-exact-sha256-v2 and verify-package re-verifies with it', async () => {
    const cache = join(dir, 'mapped.sqlite');
    createIdentity({ name: 'Profile Tester', org: 'QA Org', email: 'profiles@audit.example', password: 'profile-test-password', out: join(dir, 'id.p12') });
    const identity = loadIdentity(join(dir, 'id.p12'), 'profile-test-password');
    const db = openCache(cache);
    try {
      await writePackage({
        db,
        filter: { tenant: [v2Tenant] },
        identity,
        out: join(dir, 'v2.zip'),
        createdAt: '2026-03-01T08:30:00Z',
        appendixCap: 10,
        approvedVersions: [],
        auditorKey: loadOrCreateAuditorKey(join(dir, 'data')),
      });
    } finally {
      db.close();
    }
    const manifest = JSON.parse((await entry(join(dir, 'v2.zip'), 'manifest.json')).toString('utf8')) as { chain: { profile: { name: string; encoding: string } } };
    assert.equal(manifest.chain.profile.name, V2);
    assert.equal(manifest.chain.profile.encoding, 'jcs-exact');
    const verification = JSON.parse((await entry(join(dir, 'v2.zip'), 'verification.json')).toString('utf8')) as { profile: string };
    assert.equal(verification.profile, V2);
    const checked = await verifyPackage(join(dir, 'v2.zip'));
    assert.deepEqual(checked.failures, []);
    assert.equal(checked.chain?.verdict, 'intact');
    assert.ok(!(checked.chain?.limits ?? []).some((l) => l.kind === 'number_precision'));
  });
});

describe("the app's demo sync uses the ground truth's profiles", () => {
  test("the demo connection carries the ground truth's chainProfiles and its sync records them", async () => {
    const ctx = new AppContext({ dataDir: join(dir, 'app'), frontDoor: 'test', log: () => undefined });
    try {
      const profile = await saveDemoProfile(ctx, demo.url, [v2Tenant, v1Tenant], truth.chainProfiles);
      assert.deepEqual(profile.mapping?.profiles, truth.chainProfiles);
      await runSyncJob(
        ctx.cache(),
        { profile, password: decodeURIComponent(new URL(demo.url).password), cachePath: ctx.cachePath, dataDir: join(dir, 'app') },
        { signal: new AbortController().signal, report: () => undefined },
      );
      const report = await runVerification({ cache: { db: ctx.cache(), path: ctx.cachePath }, tenants: [v2Tenant] });
      assert.equal(report.tenants[0]!.verdict, 'intact');
      assert.ok(!(report.tenants[0]!.limits ?? []).some((l) => l.kind === 'number_precision'), JSON.stringify(report.tenants[0]!.limits));
      assert.equal(report.profile.name, V2);
    } finally {
      ctx.close();
    }
  });
});

const entry = zipEntry;

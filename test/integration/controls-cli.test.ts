// `auditdesk controls` as a user runs it: the exact auditdesk-controls-v1 JSON, exit 0
// when no control fails, 1 when one does, 2 for bad input or a control that could not run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { scratchDir } from '../helpers/scratch.js';
import { CONTROL_IDS, CONTROL_STATUSES } from '../../src-main/core/controls/index.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'cli', 'main.js');
let db: DemoDb;

before(async () => {
  db = await startDemoDb();
});
after(async () => {
  await db?.stop();
});

/** The password travels in PGPASSWORD, as the CLI asks (one in the URL draws a warning on stderr). */
function runCli(args: string[]) {
  let password = '';
  const argv = args.map((a) => {
    if (!a.startsWith('postgres://')) return a;
    const url = new URL(a);
    password = decodeURIComponent(url.password);
    url.password = '';
    return url.toString();
  });
  return spawnSync(process.execPath, [CLI, 'controls', ...argv], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PGPASSWORD: password } });
}

test('--json prints exactly the auditdesk-controls-v1 document, every control per tenant, and exits 1 on a failure', () => {
  const dir = scratchDir('auditdesk-controls-cli-');
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ maxTemperature: 1.5 }));
  const res = runCli(['--source', db.url, '--tenant', 'initech-ai', '--tenant', 'acme-pharma', '--policy', join(dir, 'policy.json'), '--json']);
  assert.equal(res.status, 1, res.stderr);
  const report = JSON.parse(res.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(report), ['format', 'checkedAt', 'source', 'policy', 'tenants']);
  assert.equal(report.format, 'auditdesk-controls-v1');
  assert.ok(!Number.isNaN(Date.parse(report.checkedAt as string)));
  assert.deepEqual(Object.keys(report.source as object), ['label', 'fingerprint']);
  assert.match((report.source as { fingerprint: string }).fingerprint, /^[0-9a-f]{64}$/);
  // The effective policy: the file's value and every default.
  assert.deepEqual(report.policy, {
    archiveAfterDays: 365,
    deleteAfterYears: 7,
    accessLogWindowSeconds: 300,
    exportAccessTypes: ['export'],
    maxTemperature: 1.5,
    productionPattern: 'prod',
    relaxedSafetyModes: ['relaxed', 'off', 'disabled', 'none'],
    configChangeWindowHours: 24,
  });
  const tenants = report.tenants as { tenant: string; controls: Record<string, unknown>[] }[];
  assert.deepEqual(
    tenants.map((t) => t.tenant),
    ['initech-ai', 'acme-pharma'],
  );
  for (const t of tenants) {
    assert.deepEqual(
      t.controls.map((c) => c.id),
      CONTROL_IDS,
    );
    for (const c of t.controls) {
      assert.deepEqual(Object.keys(c), ['id', 'status', 'summary', 'evidence', 'queries']);
      assert.ok((CONTROL_STATUSES as readonly string[]).includes(c.status as string));
      assert.equal(typeof c.summary, 'string');
      assert.ok(Array.isArray(c.queries));
      if (c.status !== 'not_applicable' || c.id !== 'dlq.reconciled') assert.ok((c.queries as string[]).length > 0, `${c.id} shows its SQL`);
    }
  }
  const initech = Object.fromEntries(tenants[0]!.controls.map((c) => [c.id, c.status]));
  assert.equal(initech['ai.temperature'], 'pass', 'the policy raised the limit above the planted 1.4');
  assert.equal(initech['ai.safety_mode'], 'fail');
});

test('without --json: one line per control, the effective policy, exit 0 when no control fails', () => {
  const res = runCli(['--source', db.url, '--tenant', 'acme-pharma', '--control', 'rls.enabled', '--control', 'chain.intact']);
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /^Effective policy: \{"archiveAfterDays":365,/m);
  assert.match(res.stdout, /^Tenant acme-pharma$/m);
  assert.match(res.stdout, /^ {2}PASS {3}rls\.enabled +row-level security is enabled on all 4 audit tables/m);
  assert.match(res.stdout, /^ {2}PASS {3}chain\.intact /m);
});

test('bad input is one line and exit 2: an invalid policy, an unknown control, a missing dead-letter file', () => {
  const dir = scratchDir('auditdesk-controls-cli-');
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ archiveAfterDays: -3 }));
  const policy = runCli(['--source', db.url, '--tenant', 'acme-pharma', '--policy', join(dir, 'policy.json')]);
  assert.equal(policy.status, 2);
  assert.match(policy.stderr, /^auditdesk: policy file .*policy\.json is invalid at archiveAfterDays: .*\n$/);
  const unknown = runCli(['--source', db.url, '--tenant', 'acme-pharma', '--control', 'rls.everything']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^auditdesk: unknown control rls\.everything\. Known controls: rls\.enabled, .*\n$/);
  const dlq = runCli(['--source', db.url, '--tenant', 'acme-pharma', '--dlq', join(dir, 'audit_dlq_nope.jsonl')]);
  assert.equal(dlq.status, 2);
  assert.match(dlq.stderr, /^auditdesk: cannot read the dead-letter file .*audit_dlq_nope\.jsonl \(ENOENT\)\. Check the path given with --dlq\.\n$/);
});

test('a control that could not run makes exit 2 and names itself, never a pass', () => {
  const res = runCli(['--source', db.adminUrl, '--tenant', 'acme-pharma', '--control', 'tenant.isolation', '--json']);
  assert.equal(res.status, 2);
  assert.match(res.stderr, /^auditdesk: 1 control could not run/);
  const report = JSON.parse(res.stdout) as { tenants: { controls: { status: string; summary: string }[] }[] };
  assert.equal(report.tenants[0]!.controls[0]!.status, 'error');
  assert.ok(!res.stdout.includes(new URL(db.adminUrl).password), 'no password in the report');
});

// The PDF's Controls section (issue 15): an export given a saved controls report lists
// the exported tenant's verdicts with the source and time they were tested; a file that
// is not a controls report, or holds no verdict for the tenant, is refused with the way out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheFixture, fillDemoLike } from '../helpers/cache-fixture.js';
import { createIdentity, loadIdentity } from '../../src-main/core/identity/index.js';
import { writePackage } from '../../src-main/core/export/package.js';
import { DEFAULT_POLICY, readControlsReport, type ControlsReport } from '../../src-main/core/controls/index.js';
import { isUserError } from '../../src-main/core/util/errors.js';
import { zipEntry } from '../helpers/package-zip.js';
import { testAuditorKey } from '../helpers/auditor-key.js';

const PDFTOTEXT = spawnSync('pdftotext', ['-v']).error === undefined;
let dir: string;
let text = '';

const report: ControlsReport = {
  format: 'auditdesk-controls-v1',
  checkedAt: '2026-11-30T09:15:00.000Z',
  source: { label: 'db.example:5432/audit', fingerprint: 'ab'.repeat(32) },
  policy: DEFAULT_POLICY,
  tenants: [
    {
      tenant: 'acme',
      controls: [
        { id: 'rls.enabled', status: 'pass', summary: 'row-level security is enabled on all 4 audit tables.', evidence: {}, queries: ['SELECT 1'] },
        { id: 'access_log.coverage', status: 'fail', summary: '14 exports of 132 have no access-log entry of type export.', evidence: {}, queries: ['SELECT 2'] },
      ],
    },
    { tenant: 'other', controls: [{ id: 'ai.secrets', status: 'fail', summary: 'a secret of another tenant.', evidence: {}, queries: [] }] },
  ],
};

const entry = zipEntry;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditdesk-export-controls-'));
  createIdentity({ name: 'Pdf Tester', org: 'QA Org', email: 'pdf@audit.example', password: 'pdf-test-password', out: join(dir, 'id.p12') });
  const id = loadIdentity(join(dir, 'id.p12'), 'pdf-test-password');
  const f = new CacheFixture(join(dir, 'cache.sqlite'));
  fillDemoLike(f, 'acme', 60);
  writeFileSync(join(dir, 'controls.json'), JSON.stringify(report));
  await writePackage({
    auditorKey: testAuditorKey(),
    db: f.db,
    filter: { tenant: ['acme'] },
    identity: id,
    out: join(dir, 'pkg.zip'),
    controls: readControlsReport(join(dir, 'controls.json'), 'acme'),
  });
  f.close();
  writeFileSync(join(dir, 'report.pdf'), await entry(join(dir, 'pkg.zip'), 'report.pdf'));
  if (PDFTOTEXT) text = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("the PDF lists the exported tenant's verdicts, where and when they were tested, and no other tenant's", { skip: PDFTOTEXT ? false : 'pdftotext not installed' }, () => {
  assert.match(text, /^\s*Controls\s*$/m);
  assert.match(text, /2026-11-30T09:15:00\.000Z, read-only/);
  assert.match(text, /db\.example:5432\/audit \(fingerprint abababababababab\.\.\.\)/);
  assert.match(text, /rls\.enabled\s+PASS\s+row-level security is enabled on all 4 audit tables\./);
  assert.match(text, /access_log\.coverage\s+FAIL\s+14 exports of 132 have no access-log entry/);
  assert.doesNotMatch(text, /a secret of another tenant/);
});

test('a file that is no controls report, or has no verdict for the tenant, is refused with the way out', () => {
  writeFileSync(join(dir, 'not-controls.json'), JSON.stringify({ format: 'auditdesk-verify-report-v1' }));
  assert.throws(
    () => readControlsReport(join(dir, 'not-controls.json')),
    (e: unknown) => isUserError(e) && e.code === 'E_INPUT' && /is not an auditdesk-controls-v1 report .*auditdesk controls --json/.test(e.message),
  );
  assert.throws(
    () => readControlsReport(join(dir, 'controls.json'), 'globex'),
    (e: unknown) => isUserError(e) && e.code === 'E_INPUT' && /no verdicts for tenant globex/.test(e.message),
  );
});

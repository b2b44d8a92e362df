// Two tenants whose names draw alike ("glоbex-bank" with a Cyrillic о, and the demo's
// "globex-bank") print identically in a terminal: the BROKEN line of one could be read as the
// other's. The CLI's human output names each with the other, as the app's status line does;
// --json keeps the ids exact.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { editAsOwner, hashOfRow } from '../helpers/source-edit.js';
import { runAuditdesk } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { genesisOf, JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';

const LOOK_ALIKE = 'gl\u043ebex-bank';
const TWIN = 'globex-bank';
const ORDINARY = 'acme-pharma';
const TENANT_ARGS = [ORDINARY, TWIN, LOOK_ALIKE].flatMap((t) => ['--tenant', t]);

/** The verdict line of a tenant's chain, whatever the verdict word: "BROKEN  audit_logs · tenant globex-bank …: …". */
const verdictLine = (tenantAndNote: string) => new RegExp(`^[A-Z]+ +audit_logs · tenant ${tenantAndNote}: `, 'm');
const LOOK_ALIKE_LINE = verdictLine('gl\u043ebex-bank \\(gl\\\\u\\{43E\\}bex-bank looks like globex-bank\\)');
const TWIN_LINE = verdictLine('globex-bank \\(globex-bank looks like gl\\\\u\\{43E\\}bex-bank\\)');
const ORDINARY_LINE = verdictLine('acme-pharma');

describe('a look-alike pair of tenants in the CLI', () => {
  let demo: DemoDb;
  let dir: string;
  let cache: string;
  let dataDir: string;

  before(async () => {
    demo = await startDemoDb();
    assert.ok(demo.groundTruth.tenants.includes(TWIN) && demo.groundTruth.tenants.includes(ORDINARY), 'the demo has the tenants this test names');
    // A short intact chain for the look-alike tenant, so it has a verdict line of its own.
    await editAsOwner(demo.adminUrl, async (admin) => {
      let prev = genesisOf(JCS_SHA256_V1);
      for (const seq of ['1', '2']) {
        await admin.query(
          `INSERT INTO audit_logs (id, seq, tenant_id, event_type, severity, user_id, action_details, created_at, prev_hash, hash)
           VALUES ($1, $2, $3, 'login', 'info', 'look-alike-user', '{}', $4, $5, $6)`,
          [`30000000-0000-4000-8000-00000000000${seq}`, seq, LOOK_ALIKE, `2026-08-05T12:0${seq}:00Z`, prev, 'f'.repeat(64)],
        );
        prev = await hashOfRow(admin, LOOK_ALIKE, seq);
        await admin.query('UPDATE audit_logs SET hash = $3 WHERE tenant_id = $1 AND seq = $2', [LOOK_ALIKE, seq, prev]);
      }
    });
    dir = scratchDir('auditdesk-look-alike-cli-');
    cache = join(dir, 'cache.sqlite');
    dataDir = join(dir, 'data');
  });

  after(async () => {
    await demo?.stop();
  });

  test('sync names each of the pair with the other on its table and verdict lines, and the ordinary tenant with nothing', { timeout: 240_000 }, async () => {
    const sync = await runAuditdesk(['sync', '--source', demo.url, ...TENANT_ARGS, '--cache', cache, '--data-dir', dataDir]);
    assert.equal(sync.code, 1, `globex-bank is the demo's tampered tenant: ${sync.stdout}${sync.stderr}`);
    assert.match(sync.stdout, /^ +public\.audit_logs +gl\u043ebex-bank \(gl\\u\{43E\}bex-bank looks like globex-bank\) +\+2 /m);
    assert.match(sync.stdout, /^ +public\.audit_logs +globex-bank \(globex-bank looks like gl\\u\{43E\}bex-bank\) +\+\d/m);
    assert.match(sync.stdout, LOOK_ALIKE_LINE);
    assert.match(sync.stdout, TWIN_LINE);
    assert.match(sync.stdout, ORDINARY_LINE);
    assert.doesNotMatch(sync.stdout, /acme-pharma \(/, 'a tenant like no other has no note');
  });

  test('verify of the cache and of the live source names each of the pair with the other on its verdict and seal lines, and the ordinary tenant with nothing', { timeout: 240_000 }, async () => {
    let reread = '';
    for (const args of [
      ['--cache', cache],
      ['--cache', cache, '--full'],
      ['--source', demo.url, ...TENANT_ARGS],
    ]) {
      const verify = await runAuditdesk(['verify', ...args, '--data-dir', dataDir]);
      assert.equal(verify.code, 1, `${args.join(' ')}: ${verify.stdout}${verify.stderr}`);
      assert.match(verify.stdout, LOOK_ALIKE_LINE, args.join(' '));
      assert.match(verify.stdout, TWIN_LINE, args.join(' '));
      assert.match(verify.stdout, ORDINARY_LINE, args.join(' '));
      assert.doesNotMatch(verify.stdout, /acme-pharma \(/, `${args.join(' ')}: a tenant like no other has no note`);
      if (args.includes('--full')) reread = verify.stdout;
    }
    // Re-read, the cache's sealed tables have lines of their own: the note follows each sentence.
    // The look-alike has audit events only: its access log was sealed with no row, which proves nothing and is not called intact.
    assert.match(
      reread,
      /^EMPTY +audit_access_log \(tenant gl\u043ebex-bank\) had no rows when sealed \(.*\) and has none now: nothing was sealed, so nothing is proven about it\. \(gl\\u\{43E\}bex-bank looks like globex-bank\)$/m,
    );
    assert.match(reread, /^INTACT +audit_access_log \(tenant globex-bank\) .*\. \(globex-bank looks like gl\\u\{43E\}bex-bank\)$/m);
    assert.match(reread, /^INTACT +audit_access_log \(tenant acme-pharma\) .*committed to\.$/m);
  });

  test('verify of the cache for one tenant of the pair still names its twin there', { timeout: 240_000 }, async () => {
    for (const [tenant, line] of [
      [LOOK_ALIKE, LOOK_ALIKE_LINE],
      [TWIN, TWIN_LINE],
    ] as const) {
      for (const args of [
        ['--cache', cache, '--tenant', tenant],
        ['--cache', cache, '--tenant', tenant, '--full'],
      ]) {
        const verify = await runAuditdesk(['verify', ...args, '--data-dir', dataDir]);
        assert.match(verify.stdout, line, `${args.join(' ')}: ${verify.stdout}${verify.stderr}`);
      }
    }
  });

  test('verify of the cache for a tenant with no rows whose id looks like tenants the cache holds names them, rather than a bare "no rows for globex-bank"', { timeout: 240_000 }, async () => {
    // A Cyrillic а this time: no row of the demo has it, so its chain is empty. (A live
    // session confined to one tenant by row-level security sees no other to compare with.)
    const typo = 'globex-b\u0430nk';
    for (const [args, seen] of [[['--cache', cache, '--tenant', typo], 'held in this cache']] as const) {
      const verify = await runAuditdesk(['verify', ...args, '--data-dir', dataDir]);
      assert.notEqual(verify.code, 0, `${args[0]}: an empty chain is never a pass`);
      const twins = 'globex-bank and gl\\\\u\\{43E\\}bex-bank|gl\\\\u\\{43E\\}bex-bank and globex-bank';
      assert.match(
        verify.stdout,
        new RegExp(`no rows are visible for tenant globex-b\\\\u\\{430\\}nk, which looks like tenant (${twins}) ${seen} but is not the same id: check which one is meant\\.`),
        `${args[0]}: ${verify.stdout}${verify.stderr}`,
      );
    }
  });

  test('verify --json names the tenants exactly, with no note', { timeout: 240_000 }, async () => {
    const verify = await runAuditdesk(['verify', '--cache', cache, '--json', '--data-dir', dataDir]);
    assert.equal(verify.code, 1, verify.stderr);
    const report = JSON.parse(verify.stdout) as VerifyReport;
    assert.deepEqual([...new Set(report.tenants.map((t) => t.tenant))].sort(), [ORDINARY, LOOK_ALIKE, TWIN].sort());
    assert.doesNotMatch(verify.stdout, /looks like/);
  });
});

// Issues 20/21 on the Integrity screen: a verdict says what it could not see. A tenant
// id with a typo is EMPTY with its sentence; a chain checked against no earlier anchor
// is "intact as far as this run can see" (even with its tail deleted), and a chain
// holding a json number v1 cannot protect is "intact, with 1 unprotected value(s)".
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { finishedJob } from '../helpers/app-calls.js';
import { chainHash, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { tableColumns } from '../../src-main/core/demo/generate.js';
import { JCS_EXACT_SHA256_V2, JCS_SHA256_V1, type ChainProfile } from '../../src-main/core/chain/profile.js';
import { startStack, type Stack } from './support/stack.js';
import { saveDemoProfile } from '../../src-main/bridge/startup.js';
import { IntegrityPage } from './pages/integrity.js';
import { openScreen } from './actions/navigate.js';
import { deleteTail, editAsOwner, hashOfRow, lastSeqOf } from '../helpers/source-edit.js';

describe('what a verdict could not see, on the Integrity screen', () => {
  let demo: DemoDb;
  let stack: Stack;
  let tailTenant: string;
  let numberTenant: string;
  const typo = 'northwnd-typo';

  before(async () => {
    demo = await startDemoDb();
    const truth = demo.groundTruth;
    [tailTenant, numberTenant] = truth.tenants.filter((t) => t !== truth.tamperedTenant) as [string, string];
    await editAsOwner(demo.adminUrl, async (admin) => {
      // The last 10 events of one tenant deleted at the source.
      await deleteTail(admin, tailTenant, 10);
      // The other's last event written with "ref": 2^53 and a correct hash, then changed to 2^53 + 1 (no rehash).
      const last = await lastSeqOf(admin, numberTenant);
      await admin.query(`UPDATE audit_logs SET action_details = '{"ref": 9007199254740992}' WHERE tenant_id = $1 AND seq = $2`, [numberTenant, last]);
      const hash = await hashOfRow(admin, numberTenant, last);
      await admin.query(`UPDATE audit_logs SET hash = $3, action_details = '{"ref": 9007199254740993}' WHERE tenant_id = $1 AND seq = $2`, [numberTenant, last, hash]);
    });
    stack = await startStack({ demo: { url: demo.url, tenants: [tailTenant, numberTenant, typo] } });
    // Verified from the live source alone, nothing synced: no checkpoint to compare with.
    await finishedJob(stack.ctx, 'integrity.verify', { target: 'source' });
  });

  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('EMPTY for the typo, "as far as this run can see" without an anchor, "with 1 unprotected value(s)" for the json number', async () => {
    await openScreen(stack.page, 'Integrity');
    const integrity = new IntegrityPage(stack.page);
    const empty = integrity.chainRow(typo);
    await empty.waitFor();
    assert.equal(await empty.locator('[data-verdict]').getAttribute('data-verdict'), 'empty');
    assert.match(await empty.innerText(), /EMPTY/);
    assert.match(await empty.innerText(), new RegExp(`no rows are visible for tenant ${typo}: the id may be wrong, row-level security may hide them from this role, or the chain was removed`));

    const tail = integrity.chainRow(tailTenant);
    assert.match(await tail.locator('[data-verdict]').innerText(), /^intact as far as this run can see$/);
    assert.equal(await tail.locator('[data-limit-kind=no_anchor]').count(), 1);
    assert.match(await tail.locator('[data-limit-kind=no_anchor]').innerText(), /rows removed from the end of the chain/);

    const number = integrity.chainRow(numberTenant);
    assert.match(await number.locator('[data-verdict]').innerText(), /^intact, with 1 unprotected value\(s\)$/);
    assert.match(await number.locator('[data-limit-kind=number_precision]').innerText(), /changes to them would not be detected; first at seq \d+/);
    // Neither chain with limits is counted as plainly intact.
    assert.match(await stack.page.getByTestId('integrity-summary').innerText(), /^3 chains: 0 intact, 0 broken, 1 empty, 2 intact only as far as the limits listed below allow · /);
    // The run found no break: its last-run line says what it did find.
    const lastRun = await stack.page.getByText(/^Last run /).innerText();
    assert.doesNotMatch(lastRun, /break/);
    // The last run names its source (label and fingerprint), then what it could not see.
    assert.match(lastRun, /on source of \S+ \([0-9a-f]{12}…\): 1 empty chain\(s\), 2 chain\(s\) with limits$/);
    assert.deepEqual(stack.pageErrors, []);
    await stack.screenshot('30-integrity-limits');
  });

  test('under jcs-exact-sha256-v2 the 2^53 tamper and a changed repeated key are modified breaks; under v1 the repeated key is a duplicate_key limit', async () => {
    const admin = new pg.Client({ connectionString: demo.adminUrl, options: '-c TimeZone=UTC -c DateStyle=ISO,YMD', types: { getTypeParser: () => (v: string) => v } });
    await admin.connect();
    let dupSeq: string;
    let v2DupSeq: string;
    try {
      // The column becomes json (jsonb keeps one member of a repeated key). Each tenant gets a new last event (the old
      // head is in the first run's checkpoint: rehashing it would be a rewrite) with {"amount": 10, "amount": 20} and a
      // correct hash under the profile its chain is written with; then the first member is changed without a rehash.
      await admin.query('BEGIN');
      await admin.query('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_immutable');
      await admin.query('ALTER TABLE audit_logs ALTER COLUMN action_details TYPE json');
      const columns = await tableColumns(admin, 'audit_logs');
      const appendRepeatedKey = async (tenant: string, profile: ChainProfile): Promise<string> => {
        const head = (await admin.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_logs WHERE tenant_id = $1', [tenant])).rows[0]!.seq;
        const seq = String(BigInt(head) + 1n);
        const copied = columns.map((c) =>
          c.name === 'id' ? 'gen_random_uuid()' : c.name === 'seq' ? 'seq + 1' : c.name === 'prev_hash' ? 'hash' : c.name === 'action_details' ? `'{"amount": 10, "amount": 20}'::json` : `"${c.name}"`,
        );
        await admin.query(`INSERT INTO audit_logs (${columns.map((c) => `"${c.name}"`).join(', ')}) SELECT ${copied.join(', ')} FROM audit_logs WHERE tenant_id = $1 AND seq = $2`, [tenant, head]);
        const row = (
          await admin.query<(string | null)[]>({
            text: `SELECT ${columns.map((c) => `"${c.name}"::text`).join(', ')} FROM audit_logs WHERE tenant_id = $1 AND seq = $2`,
            values: [tenant, seq],
            rowMode: 'array',
          })
        ).rows[0]!;
        const hash = chainHash(row[columns.findIndex((c) => c.name === 'prev_hash')]!, makePayloadBuilder(columns, profile)(row));
        await admin.query(`UPDATE audit_logs SET hash = $3, action_details = '{"amount": 99999, "amount": 20}' WHERE tenant_id = $1 AND seq = $2`, [tenant, seq, hash]);
        return seq;
      };
      dupSeq = await appendRepeatedKey(tailTenant, JCS_SHA256_V1);
      v2DupSeq = await appendRepeatedKey(numberTenant, JCS_EXACT_SHA256_V2);
      await admin.query('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_immutable');
      await admin.query('COMMIT');
    } finally {
      await admin.end();
    }
    // The connection now says which profile the number tenant's chain was written with.
    await saveDemoProfile(stack.ctx, demo.url, [tailTenant, numberTenant, typo], { [numberTenant]: 'jcs-exact-sha256-v2' });
    await finishedJob(stack.ctx, 'integrity.verify', { target: 'source' });

    await stack.page.reload();
    const integrity = new IntegrityPage(stack.page);
    const number = integrity.chainRow(numberTenant);
    await number.waitFor();
    assert.equal(await number.locator('[data-verdict]').getAttribute('data-verdict'), 'broken');
    // Two modified breaks under v2: the 2^53 + 1 number and the repeated key's first member.
    const breaks = await number
      .locator('li')
      .filter({ hasText: /^modified at seq/ })
      .allInnerTexts();
    assert.equal(breaks.length, 2, breaks.join('\n'));
    assert.match(breaks[1]!, new RegExp(`^modified at seq ${v2DupSeq!}: Row seq ${v2DupSeq!} .* was changed after it was written`));
    assert.equal(await number.locator('[data-limit-kind=number_precision]').count(), 0);

    const dup = integrity.chainRow(tailTenant);
    assert.match(await dup.locator('[data-verdict]').innerText(), /^intact, with 1 unprotected value\(s\)$/);
    assert.match(await dup.locator('[data-limit-kind=duplicate_key]').innerText(), new RegExp(`repeated keys in a json value\\): changes to them would not be detected; first at seq ${dupSeq!}`));
    assert.deepEqual(stack.pageErrors, []);
    await stack.screenshot('31-integrity-v2-modified-and-duplicate-key');
  });
});

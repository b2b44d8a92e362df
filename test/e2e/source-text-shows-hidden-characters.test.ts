// An insider at the audited company controls the text of the rows we review. A right-to-left
// override (U+202E) makes "\u202Eknab-xebolg" draw as "globex-bank" and "\u202Enimda" as "admin":
// a tenant that is not the one the verdict names, an agent that is not the one who acted. The
// CLI shows such characters as \u{202E}; the app must too, wherever cached text reaches the page.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startDemoDb, type DemoDb } from '../helpers/demo-db.js';
import { startStack, type Stack } from './support/stack.js';
import { testAndSync } from './actions/sync.js';
import { openTimeline, pickFacet, searchText } from './actions/timeline.js';
import { openScreen } from './actions/navigate.js';
import { TimelinePage } from './pages/timeline.js';
import { IntegrityPage } from './pages/integrity.js';
import { verifyCache } from './actions/anchor.js';
import { DEMO_CONNECTION_ID } from '../../src-main/bridge/startup.js';

const SPOOF_TENANT = '\u202Eknab-xebolg\u200B'; // draws as "globex-bank" (the zero-width space draws as nothing)
const SPOOF_AGENT = '\u202Enimda\u202C'; // draws as "admin"
const LOOK_ALIKE_TENANT = 'gl\u043Ebex-bank'; // a Cyrillic о: no hidden character, the same drawing
const LOOK_ALIKE_AGENT = '\u0430gent-x'; // a Cyrillic а, beside the spoofed tenant's "agent-x"
// innerText has its own line breaks and tabs; any other control or bidi character is hidden.
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is about
const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('text from the source shows its hidden characters', () => {
  let demo: DemoDb | undefined;
  let stack: Stack | undefined;
  before(async () => {
    demo = await startDemoDb();
    const admin = new pg.Client({ connectionString: demo.adminUrl });
    await admin.connect();
    try {
      await admin.query(
        `INSERT INTO conversation_audit_logs (id, tenant_id, agent_id, session_id, channel, prompt, response, "timestamp")
         VALUES ('20000000-0000-4000-8000-000000000001', $1, $2, 'sess-spoof', 'web', 'quarterly spoofcheck prompt\nsecond line', 'ok', '2026-08-05T10:00:00Z'),
                ('20000000-0000-4000-8000-000000000002', $3, 'agent-x', 'sess-spoof-2', 'web', 'spoofcheck of the tenant', 'ok', '2026-08-05T11:00:00Z'),
                ('20000000-0000-4000-8000-000000000004', $4, 'agent-y', 'sess-alike', 'web', 'a tenant that looks like another', 'ok', '2026-08-05T12:00:00Z'),
                ('20000000-0000-4000-8000-000000000005', $3, $5, 'sess-spoof-3', 'web', 'an agent that looks like another', 'ok', '2026-08-05T13:00:00Z')`,
        [demo.groundTruth.tenants[0]!, SPOOF_AGENT, SPOOF_TENANT, LOOK_ALIKE_TENANT, LOOK_ALIKE_AGENT],
      );
      // One chained event, its hash not the one its payload gives: the spoofed tenant has a
      // chain verdict (NOT INTACT) for the Integrity screen to attribute.
      await admin.query(
        `INSERT INTO audit_logs (id, seq, tenant_id, event_type, severity, user_id, action_details, created_at, prev_hash, hash)
         VALUES ('20000000-0000-4000-8000-000000000003', 1, $1, 'login', 'info', 'spoof-user', '{}', '2026-08-05T12:00:00Z', $2, $3)`,
        [SPOOF_TENANT, '0'.repeat(64), 'f'.repeat(64)],
      );
    } finally {
      await admin.end();
    }
    stack = await startStack({ demo: { url: demo.url, tenants: [...demo.groundTruth.tenants, SPOOF_TENANT, LOOK_ALIKE_TENANT] } });
    await testAndSync(stack.page, DEMO_CONNECTION_ID);
  });
  after(async () => {
    await stack?.stop();
    await demo?.stop();
  });

  test('the timeline row, its drawer and the facets show \\u{202E} where the override is', async () => {
    const page = stack!.page;
    const tl = await openTimeline(page);
    await searchText(page, 'spoofcheck');
    await tl.resultCount.filter({ hasText: /\b2 rows\b/ }).waitFor();
    const rowsText = await tl.rows.allInnerTexts();
    const joined = rowsText.join('\n');
    assert.doesNotMatch(joined, HIDDEN, 'no override reaches the list raw');
    assert.ok(joined.includes('\\u{202E}nimda\\u{202C}'), `the agent as stored, made visible: ${joined}`);
    assert.ok(joined.includes('\\u{202E}knab-xebolg'), `the tenant as stored, made visible: ${joined}`);

    await tl.rows.filter({ hasText: 'nimda' }).click();
    await tl.drawer.getByTestId('drawer-prompt').waitFor();
    const drawerText = await tl.drawer.innerText();
    assert.doesNotMatch(drawerText, HIDDEN, 'no override reaches the drawer raw');
    assert.ok(drawerText.includes('\\u{202E}'), drawerText.slice(0, 400));
    // A line break is the prompt's layout, not a hiding place: it stays a line break.
    assert.equal(await tl.drawer.getByTestId('drawer-prompt').innerText(), 'quarterly spoofcheck prompt\nsecond line');
    await page.keyboard.press('Escape');

    const facets = await page.locator('details.facet').allInnerTexts();
    assert.doesNotMatch(facets.join('\n'), HIDDEN, 'no override in the facet lists');
    // The escaped name is longer: it is cut short, never the chain's mark or the count beside it.
    const spoofRow = tl.facet('tenant').locator(`label[data-value="${SPOOF_TENANT}"]`);
    for (const part of [spoofRow.getByTestId('facet-chain-broken'), spoofRow.locator('.count')]) {
      const seen = await part.evaluate((el: unknown) => {
        type Box = { x: number; y: number; width: number; height: number };
        const e = el as { getBoundingClientRect(): Box; contains(n: unknown): boolean; ownerDocument: { elementFromPoint(x: number, y: number): unknown } };
        const r = e.getBoundingClientRect();
        return e.contains(e.ownerDocument.elementFromPoint(r.x + r.width - 2, r.y + r.height / 2));
      });
      assert.ok(seen, `${await part.innerText()} is drawn, not hidden behind the cut name`);
    }
  });

  test('the status line, Integrity and the tenant pickers of Anomalies and Export name the tenant as stored; a look-alike tenant is marked', async () => {
    const page = stack!.page;
    const status = page.getByRole('status').filter({ hasText: 'knab-xebolg' }).first();
    await status.waitFor();
    const statusText = await status.innerText();
    assert.doesNotMatch(statusText, HIDDEN);
    assert.ok(statusText.includes('\\u{202E}knab-xebolg'), statusText);

    // A tenant that draws exactly like another (a Cyrillic о) says which one it looks like, and so does that one.
    const cached = page.getByTestId('cache-tenants');
    assert.equal((await cached.locator(`[data-tenant="${LOOK_ALIKE_TENANT}"]`).getByTestId('tenant-look-alike').innerText()).trim(), '(gl\\u{43E}bex-bank looks like globex-bank)');
    assert.equal((await cached.locator('[data-tenant="globex-bank"]').getByTestId('tenant-look-alike').innerText()).trim(), '(globex-bank looks like gl\\u{43E}bex-bank)');
    assert.equal(await cached.locator('[data-tenant="acme-pharma"]').getByTestId('tenant-look-alike').count(), 0);
    // That tenant has no audit event: its chain is empty, nothing was verified, and it is not "broken" either.
    const emptyFlag = cached.locator(`[data-tenant="${LOOK_ALIKE_TENANT}"]`).getByTestId('status-chain-broken');
    assert.equal((await emptyFlag.innerText()).trim(), '⚠ chain empty: no row to verify');
    await openScreen(page, 'Timeline');
    const facet = new TimelinePage(page).facet('tenant');
    await facet.locator(`label[data-value="${LOOK_ALIKE_TENANT}"]`).getByTestId('facet-look-alike').waitFor();
    assert.equal(await facet.getByTestId('facet-look-alike').count(), 2, 'both of the pair, no other tenant');

    for (const screen of ['Integrity', 'Anomalies', 'Export'] as const) {
      await openScreen(page, screen);
      await page.locator('main').filter({ hasText: 'knab-xebolg' }).first().waitFor({ timeout: 30_000 });
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, HIDDEN, `${screen}: no override reaches the page raw`);
      assert.ok(text.includes('\\u{202E}knab-xebolg'), `${screen} names the tenant as stored`);
    }
    // Integrity, where the verdicts are, marks the look-alike pair on their chain rows too.
    await openScreen(page, 'Integrity');
    const integrity = new IntegrityPage(page);
    assert.equal((await integrity.chainRow(LOOK_ALIKE_TENANT).getByTestId('tenant-look-alike').innerText()).trim(), '(gl\\u{43E}bex-bank looks like globex-bank)');
    assert.equal((await integrity.chainRow('globex-bank').getByTestId('tenant-look-alike').innerText()).trim(), '(globex-bank looks like gl\\u{43E}bex-bank)');
    assert.equal(await integrity.chainRow('acme-pharma').getByTestId('tenant-look-alike').count(), 0);
    // Its chain is empty: the sentence why names the tenant it looks like, not a bare "globex-bank".
    assert.match(
      await integrity.chainRow(LOOK_ALIKE_TENANT).innerText(),
      /no rows are visible for tenant gl\\u\{43E\}bex-bank, which looks like tenant globex-bank held in this cache but is not the same id/,
    );
    // The look-alike's sealed conversations (checked by a verification of the cache, not by
    // the sync's), and globex-bank's checkpoint, are marked as well.
    await verifyCache(page, [LOOK_ALIKE_TENANT, 'globex-bank']);
    const sealRow = integrity.chains.locator(`tr[data-kind=seal][data-chain^="${LOOK_ALIKE_TENANT}/"]`).first();
    assert.equal((await sealRow.getByTestId('tenant-look-alike').innerText()).trim(), '(gl\\u{43E}bex-bank looks like globex-bank)');
    // Its one conversation is sealed; its access log had no row to seal: empty, never a green "intact".
    const emptySeal = integrity.chains.locator(`tr[data-kind=seal][data-chain="${LOOK_ALIKE_TENANT}/audit_access_log"]`);
    assert.match(await emptySeal.innerText(), /\bempty\b[\s\S]*no rows when sealed, none now: nothing proven/);
    assert.equal(await emptySeal.locator('.ok-text').count(), 0);
    const historyRow = integrity.history.locator('tr').filter({ hasText: 'globex-bank' }).first();
    assert.equal((await historyRow.getByTestId('tenant-look-alike').innerText()).trim(), '(globex-bank looks like gl\\u{43E}bex-bank)');
    // An anchor file for the look-alike never reads as globex-bank's, synced and verified here.
    await integrity.anchorText.fill(JSON.stringify({ tenant: LOOK_ALIKE_TENANT, table: 'audit_logs', last_seq: 1, head_hash: 'a'.repeat(64) }));
    await integrity.checkAnchor.click();
    const anchorRow = integrity.anchorRow('none');
    await anchorRow.waitFor({ timeout: 60_000 });
    assert.equal((await anchorRow.getByTestId('tenant-look-alike').innerText()).trim(), '(gl\\u{43E}bex-bank looks like globex-bank)');
    assert.match(await anchorRow.innerText(), /Not checked: this run verified no chain of tenant gl\\u\{43E\}bex-bank, table audit_logs/);
    // That run verified only the look-alike's empty chain: it names no source, and says so plainly.
    await page.getByText(/^Last run .*\(no source recorded\): 1 empty chain\(s\)$/).waitFor();
    // So does the run's note under it.
    assert.match(
      await integrity.anchorPanel.innerText(),
      /anchor head #1 names tenant gl\\u\{43E\}bex-bank \(which looks like globex-bank but is not the same id\) of audit_logs, which this run did not verify/,
    );
  });

  test('a look-alike tenant is marked on its Timeline row, in its drawer and in a tenant picker; a tenant with no twin is not', async () => {
    const page = stack!.page;
    const words = 'gl\\u{43E}bex-bank looks like globex-bank';
    // The prompt planted for the first demo tenant: a row of a tenant with no twin.
    const tl = await openTimeline(page);
    await searchText(page, 'spoofcheck');
    await tl.resultCount.filter({ hasText: /\b2 rows\b/ }).waitFor();
    const plainRow = tl.rows.filter({ hasText: 'nimda' });
    assert.equal((await plainRow.locator('.c-tenant').innerText()).trim(), 'acme-pharma');
    assert.equal(await plainRow.getByTestId('row-look-alike').count(), 0);

    // An option holds no markup: the words are part of its label, on both of the pair.
    await openScreen(page, 'Export');
    const picker = page.getByRole('combobox', { name: 'Tenant to export' });
    assert.equal(await picker.locator(`option[value="${LOOK_ALIKE_TENANT}"]`).textContent(), `${LOOK_ALIKE_TENANT} — ${words}`);
    assert.equal(await picker.locator('option[value="globex-bank"]').textContent(), 'globex-bank — globex-bank looks like gl\\u{43E}bex-bank');
    assert.equal(await picker.locator('option[value="acme-pharma"]').textContent(), 'acme-pharma');

    // Only the look-alike's own row is on screen: its twin's rows are not, and it is marked all the same.
    await openTimeline(page);
    await pickFacet(page, 'tenant', LOOK_ALIKE_TENANT);
    await tl.resultCount.filter({ hasText: /\b1 row\b/ }).waitFor();
    // Running text names the tenant so that it differs from its twin: the filter chip, and the
    // chain note, which read "globex-bank: chain empty" while globex-bank's own chain is broken.
    assert.equal((await page.getByRole('list', { name: 'Active filters' }).locator('.chip-label').innerText()).trim(), 'Tenant: gl\\u{43E}bex-bank');
    assert.match(await page.getByTestId('timeline-chain-broken').innerText(), /^⚠ gl\\u\{43E\}bex-bank: chain empty/);
    const sourceLine = await page.getByTestId('source-tenants').innerText();
    assert.ok(sourceLine.includes('gl\\u{43E}bex-bank') && sourceLine.includes(' globex-bank '), `the source's tenants, told apart: ${sourceLine}`);
    const alikeRow = tl.rows.filter({ hasText: LOOK_ALIKE_TENANT });
    const mark = alikeRow.getByTestId('row-look-alike');
    assert.equal(await mark.getAttribute('aria-label'), words);
    assert.equal(await mark.getAttribute('title'), words);
    const [markBox, cellBox] = await Promise.all([mark.boundingBox(), alikeRow.locator('.c-tenant').boundingBox()]);
    assert.ok(markBox && cellBox && markBox.x + markBox.width <= cellBox.x + cellBox.width + 0.5, 'the mark is drawn inside the tenant cell, not cut off');

    await alikeRow.click();
    await tl.drawer.getByTestId('drawer-prompt').waitFor();
    // Beside the name in the drawer's heading, and beside tenant_id among all its fields.
    assert.deepEqual(
      (await tl.drawer.getByTestId('tenant-look-alike').allInnerTexts()).map((t) => t.trim()),
      [`(${words})`, `(${words})`],
    );
    assert.equal((await tl.drawer.getByRole('region', { name: 'All fields' }).getByTestId('tenant-look-alike').innerText()).trim(), `(${words})`);
    await page.keyboard.press('Escape');
  });
  test('two agents whose ids draw alike are marked in the agent facet, as tenants are; an agent like no other is not', async () => {
    const page = stack!.page;
    const tl = await openTimeline(page);
    await pickFacet(page, 'tenant', SPOOF_TENANT);
    const agents = tl.facet('agent');
    if ((await agents.getAttribute('open')) === null) await agents.locator('summary').click();
    const alike = agents.locator(`label[data-value="${LOOK_ALIKE_AGENT}"]`).getByTestId('facet-look-alike');
    await alike.waitFor();
    assert.equal(await alike.getAttribute('title'), '\\u{430}gent-x looks like agent-x');
    assert.equal(await agents.locator('label[data-value="agent-x"]').getByTestId('facet-look-alike').getAttribute('title'), 'agent-x looks like \\u{430}gent-x');
    assert.equal(await agents.getByTestId('facet-look-alike').count(), 2, 'the pair, no other agent');
    // Their rows carry the mark beside the agent, as a look-alike tenant's row does beside the
    // tenant; the row of the tenant's plain "agent-x" too, and no other cell of either row.
    // (No regex anchors: the cell's text ends with the mark. Neither id holds the other.)
    const agentCell = (agent: string) => tl.rows.filter({ has: page.locator('.c-what', { hasText: agent }) }).locator('.c-what');
    const mark = agentCell(LOOK_ALIKE_AGENT).getByTestId('row-look-alike');
    await mark.waitFor();
    assert.equal(await mark.getAttribute('aria-label'), '\\u{430}gent-x looks like agent-x');
    assert.equal(await agentCell('agent-x').getByTestId('row-look-alike').getAttribute('aria-label'), 'agent-x looks like \\u{430}gent-x');
    assert.equal(await tl.rows.getByTestId('row-look-alike').count(), 2, 'the two agents, no tenant or user of those rows');
    const [markBox, cellBox] = await Promise.all([mark.boundingBox(), agentCell(LOOK_ALIKE_AGENT).boundingBox()]);
    assert.ok(markBox && cellBox && markBox.x + markBox.width <= cellBox.x + cellBox.width + 0.5, 'the mark is drawn inside the agent cell, not cut off');
    await stack!.screenshot('look-alike-agent-rows');
  });
});

// Two visits to one demo tenant through the CLI an auditor runs: an identity, an engagement
// per visit ("first", "second"), and the first visit's sync and package first.zip. What
// changes at the source between the visits is each test's own story.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DemoDb } from './demo-db.js';
import { runAuditdesk, type CliResult } from './cli.js';
import { scratchDir } from './scratch.js';

export interface Visits {
  dir: string;
  /** A tenant the demo left untampered. */
  tenant: string;
  /** The CLI in `dir`, with its own data folder and the identity's password. */
  cli(args: string[]): Promise<CliResult>;
  /** The second visit's sync into its fresh engagement. */
  syncSecondVisit(): Promise<CliResult>;
}

export async function afterFirstVisit(demo: DemoDb, prefix: string): Promise<Visits> {
  const tenant = demo.groundTruth.tenants.find((t) => t !== demo.groundTruth.tamperedTenant)!;
  const dir = scratchDir(prefix);
  const env = { ...process.env, AUDITDESK_DATA_DIR: join(dir, 'data'), AUDITDESK_P12_PASSWORD: 'visit-password' };
  const cli = (args: string[]) => runAuditdesk(args, { env, cwd: dir });
  const must = async (args: string[]) => {
    const r = await cli(args);
    assert.equal(r.code, 0, `auditdesk ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  };
  await must(['identity', 'create', '--name', 'Visit Auditor', '--org', 'Audit LLP', '--email', 'visit@audit.example', '--out', 'id.p12']);
  for (const visit of ['first', 'second']) await must(['engagement', 'create', '--name', `${visit} visit`, '--client', 'Client', '--dir', visit]);
  await must(['sync', '--source', demo.url, '--tenant', tenant, '--engagement', 'first']);
  await must(['export', '--engagement', 'first', '--tenant', tenant, '--identity', 'id.p12', '--out', 'first.zip']);
  return { dir, tenant, cli, syncSecondVisit: () => cli(['sync', '--source', demo.url, '--tenant', tenant, '--engagement', 'second']) };
}

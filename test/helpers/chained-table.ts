// A hash-chained events table in the embedded PostgreSQL that a test fills row by row
// (random damaged chains), and what the tests comparing two ways to a verdict share: the
// report with what differs by nature blanked, and kept rows in pages small enough to cross.
import { after, before } from 'node:test';
import { join } from 'node:path';
import { asAdmin } from './source-edit.js';
import { startDemoDb, type DemoDb } from './demo-db.js';
import { scratchDir } from './scratch.js';
import { connectSource, type SourceSession } from '../../src-main/core/source/index.js';
import { EVENT_COLUMNS, type SourceRow } from './cache-fixture.js';
import { FETCHED_ROWS_BUDGET, FetchedChains, ODD_ROWS_LIMIT } from '../../src-main/core/verify/fetched-chain.js';
import { openCache, type CacheDb } from '../../src-main/core/cache/open.js';
import type { VerifyReport } from '../../src-main/core/verify/report.js';

/** A table of the demo's event columns, readable by the auditor role, without row-level security. */
export function createChainedTable(adminUrl: string, table: string): Promise<unknown> {
  return asAdmin(adminUrl, (admin) =>
    admin.query(`
      CREATE TABLE ${table} (${EVENT_COLUMNS.map((c) => `${c.name} ${c.name === 'action_details' ? 'jsonb' : c.type === 'int8' ? 'bigint' : c.type}`).join(', ')});
      GRANT SELECT ON ${table} TO auditor_ro;`),
  );
}

export async function insertChainRows(adminUrl: string, table: string, tenant: string, rows: SourceRow[]): Promise<void> {
  await asAdmin(adminUrl, async (admin) => {
    for (const r of rows) {
      await admin.query(
        `INSERT INTO ${table} (${EVENT_COLUMNS.map((c) => c.name).join(', ')}) VALUES (${EVENT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
        EVENT_COLUMNS.map((c) => (c.name === 'tenant_id' ? tenant : (r[c.name] ?? null))),
      );
    }
  });
}

/** The report with what differs between two runs by their nature (times, ids) blanked. */
export function comparableReport(r: VerifyReport): string {
  return JSON.stringify({ verdict: r.verdict, intact: r.intact, summary: r.summary, tenants: r.tenants, notes: r.notes }).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME');
}

/** Kept rows in pages of 7 rows, so that every test chain crosses page boundaries (a sync keeps 65,536 rows a page). */
export const smallPages = (): FetchedChains => new FetchedChains({ rows: FETCHED_ROWS_BUDGET, oddRows: ODD_ROWS_LIMIT, pageRows: 7 });

/** What a test file comparing two ways to a verdict works on; set by the hooks chainedTableSource registers. */
export interface ChainedTableSource {
  demo: DemoDb;
  /** Where the file's caches go. */
  dir: string;
  /** A read-only session to the demo database, as the sync opens one. */
  session: SourceSession;
  /** Writes rows into the file's chained table, for a tenant. */
  insert(tenant: string, rows: SourceRow[]): Promise<void>;
  /** A new, empty cache file in `dir`. */
  newCache(): CacheDb;
  /** Two new caches, closed after `work`: one for verdicts from the rows a sync kept, one for verdicts read back. */
  twoCaches<T>(work: (kept: CacheDb, readBack: CacheDb) => Promise<T>): Promise<T>;
}

/** Runs `work` with every sync's fill in bulk (the digest worker's path) or row by row. */
export async function withBulk<T>(bulk: boolean, work: () => Promise<T>): Promise<T> {
  const saved = process.env.AUDITDESK_SYNC_BULK_MIN_ROWS;
  process.env.AUDITDESK_SYNC_BULK_MIN_ROWS = bulk ? '1' : '100000000';
  try {
    return await work();
  } finally {
    if (saved === undefined) delete process.env.AUDITDESK_SYNC_BULK_MIN_ROWS;
    else process.env.AUDITDESK_SYNC_BULK_MIN_ROWS = saved;
  }
}

/** A demo database with the chained table `table`, started before the calling file's tests and stopped after them. */
export function chainedTableSource(table: string, scratchPrefix: string): ChainedTableSource {
  let caches = 0;
  const source: ChainedTableSource = {
    insert: (tenant, rows) => insertChainRows(source.demo.adminUrl, table, tenant, rows),
    newCache: () => openCache(join(source.dir, `cache-${++caches}.sqlite`)),
    twoCaches: async (work) => {
      const kept = source.newCache();
      const readBack = source.newCache();
      try {
        return await work(kept, readBack);
      } finally {
        kept.close();
        readBack.close();
      }
    },
  } as ChainedTableSource;
  before(async () => {
    source.demo = await startDemoDb();
    source.dir = scratchDir(scratchPrefix);
    await createChainedTable(source.demo.adminUrl, table);
    source.session = await connectSource(source.demo.url);
  });
  after(async () => {
    await source.session?.close();
    await source.demo?.stop();
  });
  return source;
}

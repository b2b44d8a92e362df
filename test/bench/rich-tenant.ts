// A tenant unlike the demo for the sync bench (issue 17): its events carry nested
// JSON, an inet, numerics and columns AuditDesk does not know (kept as extra fields),
// in a table of their own (rich_audit_logs), with a valid hash chain so the sync's
// verdict does the same work as on a real tenant. Created as the cluster's admin
// beside the demo; the hashes are computed over the values as the app's own read-only
// session prints them, so they are exactly what verification recomputes.
import pg from 'pg';
import { chainHash, genesisOf, makePayloadBuilder } from '../../src-main/core/chain/hash.js';
import { JCS_SHA256_V1 } from '../../src-main/core/chain/profile.js';
import { connectSource } from '../../src-main/core/source/index.js';

export const RICH_TABLE = 'rich_audit_logs';
export const RICH_TENANT = 'rich-tenant';
export const RICH_MAPPING = { events: RICH_TABLE };

export async function createRichTenant(adminUrl: string, auditorUrl: string, rows: number): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`
      CREATE TABLE ${RICH_TABLE} (
        id uuid PRIMARY KEY, seq bigint NOT NULL, tenant_id text NOT NULL, event_type text NOT NULL,
        entity_type text, entity_id text, severity text, user_id text, action_details jsonb,
        ip_address inet, created_at timestamptz NOT NULL,
        amount numeric(18,4), risk_score double precision, region text, labels text[], device jsonb, retries integer,
        prev_hash text, hash text);
      ALTER TABLE ${RICH_TABLE} ENABLE ROW LEVEL SECURITY;
      ALTER TABLE ${RICH_TABLE} FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${RICH_TABLE} USING (tenant_id = current_setting('app.current_tenant_id', true));
      GRANT SELECT ON ${RICH_TABLE} TO auditor_ro;`);
    await admin.query(
      `INSERT INTO ${RICH_TABLE}
       SELECT md5(g::text)::uuid, g, $1, (ARRAY['login','read','update','export','delete'])[1 + g % 5],
              'document', 'doc-' || (g % 9973), (ARRAY['info','warning','critical'])[1 + g % 3], 'user-' || (g % 211),
              jsonb_build_object('request', jsonb_build_object('path', '/api/v2/records/' || g, 'query', jsonb_build_object('page', g % 17, 'sort', 'desc'),
                                 'headers', jsonb_build_array('accept: application/json', 'x-trace: ' || md5(g::text))),
                                 'result', jsonb_build_object('rows', g % 1000, 'ok', g % 13 <> 0, 'latency_ms', (g % 997) / 10.0),
                                 'note', CASE WHEN g % 11 = 0 THEN 'Überprüfung durch Prüfer — «ok»' ELSE 'routine access' END),
              ('10.' || (g / 65536) % 256 || '.' || (g / 256) % 256 || '.' || g % 256)::inet,
              '2026-01-01'::timestamptz + g * interval '1.5 s',
              (g * 13.0001) % 100000, (g % 1000) / 7.0, CASE WHEN g % 2 = 0 THEN 'eu-west' ELSE 'us-east' END,
              ARRAY['tag' || g % 7, 'batch ' || g % 3], jsonb_build_object('os', 'linux', 'version', jsonb_build_array(6, g % 10, 3)), g % 4
         FROM generate_series(1, $2::int) g`,
      [RICH_TENANT, rows],
    );
    await admin.query(`ANALYZE ${RICH_TABLE}`);

    // The chain, over the values the read-only session prints (as sync and verify see them).
    const session = await connectSource(auditorUrl);
    const links: { seq: string[]; prev: string[]; hash: string[] } = { seq: [], prev: [], hash: [] };
    try {
      const table = (await session.discover(RICH_MAPPING)).events!;
      const payload = makePayloadBuilder(table.columns, JCS_SHA256_V1);
      const seqAt = table.columns.findIndex((c) => c.name === 'seq');
      let prev = genesisOf(JCS_SHA256_V1);
      for await (const batch of session.streamRows(table, RICH_TENANT, { orderBy: 'seq', batchSize: 5_000 })) {
        for (const row of batch) {
          const h = chainHash(prev, payload(row), JCS_SHA256_V1);
          links.seq.push(row[seqAt]!);
          links.prev.push(prev);
          links.hash.push(h);
          prev = h;
        }
      }
    } finally {
      await session.close();
    }
    for (let i = 0; i < links.seq.length; i += 50_000) {
      await admin.query(`UPDATE ${RICH_TABLE} r SET prev_hash = u.p, hash = u.h FROM unnest($1::bigint[], $2::text[], $3::text[]) u(s, p, h) WHERE r.seq = u.s`, [
        links.seq.slice(i, i + 50_000),
        links.prev.slice(i, i + 50_000),
        links.hash.slice(i, i + 50_000),
      ]);
    }
    await admin.query(`VACUUM ANALYZE ${RICH_TABLE}`);
  } finally {
    await admin.end();
  }
}

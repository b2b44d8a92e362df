// Issue 2: `auditdesk demo --events 1000000` must generate in under 60 s (COPY, not
// inserts). Measured end to end on a fresh cluster: initdb, schema, 1,000,000 hash-chained
// events + 250,000 conversations + anomalies + access log, tampering, statistics.
// Reference: PostgreSQL alone inserting 1,000,000 audit_logs-shaped rows from
// generate_series into a copy of the table with the same indexes (no client, no hashing).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildDemoFolder } from '../../src-main/core/demo/index.js';
import { freePort } from '../helpers/free-port.js';
import type { BenchLine } from './types.js';

const EVENTS = 1_000_000;

export async function bench(): Promise<BenchLine[]> {
  const parent = await mkdtemp(join(tmpdir(), 'auditdesk-bench-demo-'));
  await chmod(parent, 0o755);
  try {
    const started = process.hrtime.bigint();
    const demo = await buildDemoFolder(join(parent, 'demo'), { events: EVENTS, seed: 1, port: await freePort() });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    let referenceSeconds = 0;
    try {
      const admin = new pg.Client({ connectionString: demo.adminUrl });
      await admin.connect();
      try {
        await admin.query('CREATE TABLE bench_ref (LIKE audit_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
        const t = process.hrtime.bigint();
        await admin.query(
          `INSERT INTO bench_ref (id, seq, tenant_id, event_type, entity_type, entity_id, severity, user_id, action_details, ip_address, created_at, prev_hash, hash)
           SELECT gen_random_uuid(), g, 'bench', 'read', 'patient_record', 'PT-' || g, 'info', 'user@example.org',
                  jsonb_build_object('view', 'detail', 'rows', g % 200), '10.12.1.2',
                  timestamptz '2026-07-03' + g * interval '7 seconds', md5(g::text) || md5(g::text), md5((g + 1)::text) || md5(g::text)
             FROM generate_series(1, $1::int) AS g`,
          [EVENTS],
        );
        referenceSeconds = Number(process.hrtime.bigint() - t) / 1e9;
        await admin.query('DROP TABLE bench_ref');
      } finally {
        await admin.end();
      }
    } finally {
      await demo.stop();
    }
    const t = demo.groundTruth;
    const conversations = t.tenants.reduce((s, id) => s + t.counts[id]!.conversation_audit_logs, 0);
    return [
      {
        name: `demo generation: ${EVENTS.toLocaleString('en')} hash-chained events + ${conversations.toLocaleString('en')} conversations, fresh cluster`,
        value: seconds,
        unit: 's',
        reference: { name: 'server-side INSERT … generate_series of 1,000,000 audit_logs-shaped rows (same indexes, no hashing)', value: referenceSeconds },
        target: '< 60 s',
      },
      { name: 'demo generation rate', value: EVENTS / seconds, unit: 'events/s' },
    ];
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

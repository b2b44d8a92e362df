// The rogue DBA: after generation, one tenant's audit_logs are tampered with through
// plain SQL as the superuser, the way an insider with database access would do it.
// First the "earlier visit" saves the chain head as an external anchor, then:
//   ~30%: a row modified without rehashing (its own hash no longer matches),
//   ~60%: a row deleted (the next row's prev_hash names a hash nobody has),
//   ~90%: a row changed and every later hash recomputed (self-consistent, but the
//         head no longer matches the anchor).
import type pg from 'pg';
import { chainHash, makePayloadBuilder } from '../chain/hash.js';
import { JCS_SHA256_V1 } from '../chain/profile.js';
import { tableColumns } from './generate.js';
import type { ChainAnchor, Tampering } from './ground-truth.js';

const TRIGGER = 'audit_logs_immutable';

export interface TamperResult {
  anchor: ChainAnchor;
  tampering: Tampering[];
}

/** `client` must be a superuser session with text type parsers (values exactly as printed). */
export async function plantTampering(client: pg.Client, tenant: string, reassignTo: string): Promise<TamperResult> {
  const head = await client.query<{ seq: string; hash: string; n: string }>(
    `SELECT seq::text AS seq, hash, (SELECT count(*) FROM audit_logs WHERE tenant_id = $1)::text AS n
       FROM audit_logs a WHERE a.tenant_id = $1 ORDER BY a.seq DESC LIMIT 1`,
    [tenant],
  );
  const h = head.rows[0];
  if (!h) throw new Error(`tenant ${tenant} has no audit_logs rows to tamper with`);
  const lastSeq = Number(h.seq);
  if (lastSeq < 20) throw new Error(`tenant ${tenant} has too few events (${lastSeq}) to plant tampering`);
  const anchor: ChainAnchor = { tenant, table: 'audit_logs', last_seq: lastSeq, head_hash: h.hash, row_count: Number(h.n) };
  const at = (fraction: number) => Math.max(2, Math.round(lastSeq * fraction));
  const tampering: Tampering[] = [];

  await client.query('BEGIN');
  try {
    await client.query(`ALTER TABLE audit_logs DISABLE TRIGGER ${TRIGGER}`);

    // 1. Modified without rehash: blame someone else for an action.
    const mod = await client.query<{ id: string; seq: string; user_id: string }>(
      `SELECT a.id::text AS id, a.seq::text AS seq, a.user_id FROM audit_logs a
        WHERE a.tenant_id = $1 AND a.seq >= $2 AND a.user_id IS NOT NULL AND a.user_id <> $3
        ORDER BY a.seq LIMIT 1`,
      [tenant, at(0.3), reassignTo],
    );
    const m = mod.rows[0]!;
    await client.query('UPDATE audit_logs SET user_id = $1 WHERE id = $2', [reassignTo, m.id]);
    tampering.push({ kind: 'modified', table: 'audit_logs', tenant, seq: Number(m.seq), id: m.id, column: 'user_id', before: m.user_id, after: reassignTo });

    // 2. Deleted: a row no anomaly points at (the foreign key would refuse otherwise).
    const del = await client.query<{ id: string; seq: string; hash: string }>(
      `SELECT a.id::text AS id, a.seq::text AS seq, a.hash FROM audit_logs a
        WHERE a.tenant_id = $1 AND a.seq >= $2
          AND NOT EXISTS (SELECT 1 FROM audit_anomalies x WHERE x.audit_event_id = a.id)
        ORDER BY a.seq LIMIT 1`,
      [tenant, at(0.6)],
    );
    const d = del.rows[0]!;
    await client.query('DELETE FROM audit_logs WHERE id = $1', [d.id]);
    tampering.push({ kind: 'deleted', table: 'audit_logs', tenant, seq: Number(d.seq), id: d.id, hash: d.hash });

    // 3. Rewritten tail: downgrade a severity, then recompute every later hash.
    const rw = await client.query<{ id: string; seq: string; severity: string }>(
      `SELECT a.id::text AS id, a.seq::text AS seq, a.severity FROM audit_logs a
        WHERE a.tenant_id = $1 AND a.seq >= $2 AND a.severity <> 'info' ORDER BY a.seq LIMIT 1`,
      [tenant, at(0.9)],
    );
    const w = rw.rows[0]!;
    await client.query(`UPDATE audit_logs SET severity = 'info' WHERE id = $1`, [w.id]);
    const throughSeq = await rechainFrom(client, tenant, w.seq);
    tampering.push({
      kind: 'rewritten',
      table: 'audit_logs',
      tenant,
      seq: Number(w.seq),
      id: w.id,
      column: 'severity',
      before: w.severity,
      after: 'info',
      through_seq: Number(throughSeq),
    });

    await client.query(`ALTER TABLE audit_logs ENABLE TRIGGER ${TRIGGER}`);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return { anchor, tampering };
}

/**
 * Recomputes prev_hash and hash of the tenant's rows from `fromSeq` on, as a rogue DBA
 * re-chains after editing a row: the tail is self-consistent again and only an earlier
 * head (or an earlier package) shows the rewrite. `client` is a superuser session inside
 * a transaction with the immutability trigger disabled. Returns the last seq rewritten.
 */
export async function rechainFrom(client: pg.Client, tenant: string, fromSeq: string): Promise<string> {
  const profile = JCS_SHA256_V1;
  const before = await client.query<{ hash: string }>('SELECT hash FROM audit_logs WHERE tenant_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1', [tenant, fromSeq]);
  const columns = await tableColumns(client, 'audit_logs');
  const payloadOf = makePayloadBuilder(columns, profile);
  const select = columns.map((c) => `"${c.name.replace(/"/g, '""')}"::text`).join(', ');
  const tail = await client.query<(string | null)[]>({
    text: `SELECT ${select} FROM audit_logs a WHERE a.tenant_id = $1 AND a.seq >= $2 ORDER BY a.seq`,
    values: [tenant, fromSeq],
    rowMode: 'array',
  });
  const seqAt = columns.findIndex((c) => c.name === profile.orderColumn);
  const seqs: string[] = [];
  const prevs: string[] = [];
  const hashes: string[] = [];
  let prev = before.rows[0]!.hash;
  for (const row of tail.rows) {
    const hash = chainHash(prev, payloadOf(row), profile);
    seqs.push(row[seqAt]!);
    prevs.push(prev);
    hashes.push(hash);
    prev = hash;
  }
  await client.query(
    `UPDATE audit_logs a SET prev_hash = r.prev_hash, hash = r.hash
       FROM unnest($2::bigint[], $3::text[], $4::text[]) AS r(seq, prev_hash, hash)
      WHERE a.tenant_id = $1 AND a.seq = r.seq`,
    [tenant, seqs, prevs, hashes],
  );
  return seqs[seqs.length - 1]!;
}

// The demo's hash chains, checked by a SECOND, independent implementation of
// jcs-sha256-v1 written here (its own JCS, SHA-256 call and timestamp formatting done by
// PostgreSQL's to_char), not by src-main/core/chain: the intact tenants verify, and the
// tampered tenant shows exactly the damage the ground truth says was planted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startDemoDb, type DemoDb, type GroundTruth } from '../helpers/demo-db.js';
import { freePort } from '../helpers/free-port.js';
import { buildDemoFolder } from '../../src-main/core/demo/index.js';

const textTypes = { getTypeParser: () => (v: string) => v };
const GENESIS = '0'.repeat(64);

// --- independent JCS (RFC 8785) for the JSON values a row can hold
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jcs(v: Json): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('non-finite number');
    return Object.is(v, -0) ? '0' : String(v); // ECMAScript Number::toString is what RFC 8785 prescribes
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  // Keys sorted by UTF-16 code units: the default JS sort order.
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(v[k]!)}`).join(',')}}`;
}

interface Column {
  name: string;
  dataType: string;
}

/** SELECT expression giving each column's canonical text, per the spec's type rules. */
function selectExpr(c: Column): string {
  const q = `"${c.name}"`;
  switch (c.dataType) {
    case 'timestamp with time zone':
      return `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    default:
      return `${q}::text`;
  }
}

function canonical(c: Column, text: string | null): Json {
  if (text === null) return null;
  switch (c.dataType) {
    case 'bigint':
    case 'integer':
    case 'smallint':
      return Number(text);
    case 'jsonb':
    case 'json':
      return JSON.parse(text) as Json;
    case 'uuid':
      return text.toLowerCase();
    default:
      return text;
  }
}

interface ChainRow {
  seq: number;
  id: string;
  prevHash: string;
  hash: string;
  recomputed: string;
}

interface Walk {
  rows: ChainRow[];
  /** seqs whose stored hash differs from the hash of (stored prev_hash, payload). */
  hashMismatch: number[];
  /** seqs whose stored prev_hash differs from the previous row's stored hash. */
  linkBreak: number[];
  /** seqs absent between 1 and the last one. */
  missing: number[];
}

async function readChain(client: pg.Client, tenant: string): Promise<Walk> {
  const cols = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = 'audit_logs' ORDER BY ordinal_position`,
  );
  const payloadCols: Column[] = cols.rows.filter((r) => r.column_name !== 'hash' && r.column_name !== 'prev_hash').map((r) => ({ name: r.column_name, dataType: r.data_type }));
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]);
    const res = await client.query<(string | null)[]>({
      text: `SELECT prev_hash, hash, ${payloadCols.map(selectExpr).join(', ')} FROM audit_logs ORDER BY audit_logs.seq`, // qualified: the output column "seq" is text
      rowMode: 'array',
    });
    const walk: Walk = { rows: [], hashMismatch: [], linkBreak: [], missing: [] };
    let previousStored = GENESIS;
    let expectedSeq = 1;
    const seqAt = payloadCols.findIndex((c) => c.name === 'seq');
    const idAt = payloadCols.findIndex((c) => c.name === 'id');
    for (const r of res.rows) {
      const values = r.slice(2);
      const obj: { [k: string]: Json } = {};
      payloadCols.forEach((c, i) => (obj[c.name] = canonical(c, values[i] ?? null)));
      const prevHash = r[0]!;
      const hash = r[1]!;
      const recomputed = createHash('sha256')
        .update(`${prevHash}\n${jcs(obj)}`, 'utf8')
        .digest('hex');
      const seq = Number(values[seqAt]);
      while (expectedSeq < seq) walk.missing.push(expectedSeq++);
      expectedSeq = seq + 1;
      if (recomputed !== hash) walk.hashMismatch.push(seq);
      if (prevHash !== previousStored) walk.linkBreak.push(seq);
      previousStored = hash;
      walk.rows.push({ seq, id: values[idAt]!, prevHash, hash, recomputed });
    }
    return walk;
  } finally {
    await client.query('COMMIT');
  }
}

describe('demo hash chains, verified independently of src-main/core/chain', () => {
  let db: DemoDb;
  let ro: pg.Client;
  let truth: GroundTruth;

  before(async () => {
    db = await startDemoDb();
    truth = db.groundTruth;
    ro = new pg.Client({ connectionString: db.url, types: textTypes });
    await ro.connect();
  });

  after(async () => {
    await ro?.end().catch(() => undefined);
    await db?.stop();
  });

  test("this test's own checker reproduces the worked example of docs/hash-chain.md", () => {
    assert.equal(jcs({ b: [1, 'x', null], a: { d: true, c: 1.5 } }), '{"a":{"c":1.5,"d":true},"b":[1,"x",null]}');
    assert.equal(jcs({ '€': 1, a: 2, A: 3 }), '{"A":3,"a":2,"€":1}');
    const payload = jcs({
      id: '7f0c2d0e-4b5a-4c1e-9a55-0d6f2e1f7a10',
      seq: 1,
      tenant_id: 'acme-pharma',
      event_type: 'login',
      entity_type: 'user',
      entity_id: 'u-104',
      severity: 'info',
      user_id: 'u-104',
      action_details: JSON.parse('{"mfa": true, "client": "web"}') as Json,
      ip_address: '10.20.0.14',
      created_at: '2026-01-05T08:59:12.500000Z',
    });
    const hash = createHash('sha256').update(`${GENESIS}\n${payload}`, 'utf8').digest('hex');
    assert.equal(hash, 'f75cedf50849fa38c723b23f0898713c4cf00e4c42f4aed5ec3d148dedd1d795');
  });

  test("every intact tenant's chain verifies from genesis to its head", async () => {
    const intact = truth.tenants.filter((t) => t !== truth.tamperedTenant);
    assert.equal(intact.length, 2);
    for (const tenant of intact) {
      const walk = await readChain(ro, tenant);
      assert.ok(walk.rows.length > 100, `${tenant} has a real chain`);
      assert.deepEqual(walk.hashMismatch, [], `${tenant}: rows whose hash does not match`);
      assert.deepEqual(walk.linkBreak, [], `${tenant}: broken links`);
      assert.deepEqual(walk.missing, [], `${tenant}: missing seqs`);
      assert.equal(walk.rows[0]!.prevHash, GENESIS);
      assert.equal(walk.rows.length, truth.counts[tenant]!.audit_logs);
      const head = walk.rows[walk.rows.length - 1]!;
      assert.deepEqual({ last_seq: head.seq, hash: head.hash }, truth.chainHeads[tenant]);
    }
  });

  test('the tampered tenant shows exactly the planted damage and nothing else', async () => {
    const walk = await readChain(ro, truth.tamperedTenant);
    const byKind = Object.fromEntries(truth.tampering.map((t) => [t.kind, t]));
    const modified = byKind.modified!;
    const deleted = byKind.deleted!;
    const rewritten = byKind.rewritten!;
    assert.ok(modified.seq < deleted.seq && deleted.seq < rewritten.seq, 'planted at ~30%, ~60%, ~90%');

    // Modified without rehash: its own hash is wrong, the link to it is intact.
    assert.deepEqual(walk.hashMismatch, [modified.seq]);
    // Deleted: exactly that seq is gone, and the next row's prev_hash names the lost row's hash.
    assert.deepEqual(walk.missing, [deleted.seq]);
    assert.deepEqual(walk.linkBreak, [deleted.seq + 1]);
    assert.equal(walk.rows.find((r) => r.seq === deleted.seq + 1)!.prevHash, deleted.hash);
    assert.equal(
      walk.rows.some((r) => r.id === deleted.id),
      false,
    );

    // Rewritten tail: self-consistent (no mismatch or break after the deletion), but the
    // head no longer matches the anchor an earlier visit saved.
    const anchor = truth.anchor;
    assert.equal(anchor.tenant, truth.tamperedTenant);
    const atAnchor = walk.rows.find((r) => r.seq === anchor.last_seq)!;
    assert.ok(atAnchor, "the anchor's seq still exists");
    assert.notEqual(atAnchor.hash, anchor.head_hash);
    assert.equal(atAnchor.hash, atAnchor.recomputed);
    assert.equal(rewritten.through_seq, anchor.last_seq);
    assert.equal(walk.rows.length, anchor.row_count - 1);
  });

  test('the tampered values are what the ground truth says (seen through the read-only role)', async () => {
    await ro.query('BEGIN');
    try {
      await ro.query("SELECT set_config('app.current_tenant_id', $1, true)", [truth.tamperedTenant]);
      for (const t of truth.tampering.filter((x) => x.kind !== 'deleted')) {
        const { rows } = await ro.query<{ seq: string; v: string | null }>(`SELECT seq::text AS seq, ${t.column}::text AS v FROM audit_logs WHERE id = $1`, [t.id]);
        assert.equal(Number(rows[0]!.seq), t.seq);
        assert.equal(rows[0]!.v, t.after, `${t.kind} ${t.column}`);
        assert.notEqual(t.before, t.after);
      }
    } finally {
      await ro.query('COMMIT');
    }
  });

  test('the planted incidents exist as the ground truth describes', async () => {
    const inc = truth.incidents;
    const asTenant = async <R extends pg.QueryResultRow>(tenant: string, sql: string, params: unknown[] = []) => {
      await ro.query('BEGIN');
      try {
        await ro.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]);
        return (await ro.query<R>(sql, params)).rows;
      } finally {
        await ro.query('COMMIT');
      }
    };

    // A burst of failed logins from one IP within minutes, then a success from it.
    const burst = await asTenant<{ id: string; at: string }>(
      inc.failedLoginBurst.tenant,
      `SELECT id::text AS id, to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI') AS at FROM audit_logs
        WHERE event_type = 'login_failed' AND ip_address = $1 ORDER BY seq`,
      [inc.failedLoginBurst.ip],
    );
    assert.ok(burst.length >= 30, `burst of ${burst.length} failed logins`);
    assert.deepEqual(
      burst.map((r) => r.id),
      inc.failedLoginBurst.ids,
    );
    const minutes = new Set(burst.map((r) => r.at));
    assert.ok(minutes.size <= 6, 'within a few minutes');

    // A 3 a.m. mass export.
    const night = await asTenant<{ hour: string; rows: string }>(
      inc.nightExport.tenant,
      `SELECT extract(hour FROM created_at AT TIME ZONE 'UTC')::text AS hour, action_details->>'rows' AS rows
         FROM audit_logs WHERE id = ANY($1::uuid[])`,
      [inc.nightExport.ids],
    );
    assert.equal(night.length, inc.nightExport.ids.length);
    assert.ok(night.length >= 10);
    for (const r of night) assert.equal(r.hour, '3');
    assert.ok(night.reduce((s, r) => s + Number(r.rows), 0) >= 100_000, 'a mass export');

    // Temperature "1.4" on a production agent, stored as text.
    const hot = await asTenant<{ n: string; agents: string }>(
      inc.highTemperature.tenant,
      `SELECT count(*)::text AS n, string_agg(DISTINCT agent_id, ',') AS agents FROM conversation_audit_logs WHERE temperature = '1.4'`,
    );
    assert.equal(Number(hot[0]!.n), inc.highTemperature.count);
    assert.ok(inc.highTemperature.count >= 1);
    assert.equal(hot[0]!.agents, inc.highTemperature.agent_id);

    // A production agent on relaxed.
    const relaxed = await asTenant<{ agent_id: string; n: string }>(
      inc.relaxedProductionAgent.tenant,
      `SELECT agent_id, count(*)::text AS n FROM conversation_audit_logs
        WHERE safety_mode = 'relaxed' AND agent_id LIKE '%-prod' GROUP BY agent_id`,
    );
    assert.deepEqual(
      relaxed.map((r) => [r.agent_id, Number(r.n)]),
      [[inc.relaxedProductionAgent.agent_id, inc.relaxedProductionAgent.count]],
    );

    // An API key inside a model_config.
    const keys = await asTenant<{ id: string; key: string }>(
      inc.apiKeyInModelConfig.tenant,
      `SELECT id::text AS id, model_config->>'api_key' AS key FROM conversation_audit_logs WHERE model_config::text LIKE '%sk-%' ORDER BY "timestamp"`,
    );
    assert.equal(keys.length, inc.apiKeyInModelConfig.count);
    assert.ok(keys.length >= 1);
    for (const k of keys) assert.match(k.key, /^sk-[A-Za-z0-9-]{20,}$/);
    assert.deepEqual(new Set(keys.map((k) => k.id)), new Set(inc.apiKeyInModelConfig.ids));

    // Anomalies on both sides of the 0.7 threshold, and on the incidents.
    let above = 0;
    let below = 0;
    for (const tenant of truth.tenants) {
      const [r] = await asTenant<{ above: string; below: string }>(
        tenant,
        `SELECT count(*) FILTER (WHERE anomaly_score > 0.7)::text AS above, count(*) FILTER (WHERE anomaly_score <= 0.7)::text AS below FROM audit_anomalies`,
      );
      above += Number(r!.above);
      below += Number(r!.below);
    }
    assert.ok(above > 0 && below > 0, `above ${above}, below ${below}`);
    assert.deepEqual({ above, below }, { above: inc.anomalies.above, below: inc.anomalies.below });
    const burstAnomalies = await asTenant<{ n: string }>(
      inc.failedLoginBurst.tenant,
      `SELECT count(*)::text AS n FROM audit_anomalies a JOIN audit_logs l ON l.id = a.audit_event_id
        WHERE l.ip_address = $1 AND a.anomaly_score > 0.7`,
      [inc.failedLoginBurst.ip],
    );
    assert.ok(Number(burstAnomalies[0]!.n) >= 1);

    // Pre-migration conversation logs carry no model metadata.
    let missing = 0;
    for (const tenant of truth.tenants) {
      const [r] = await asTenant<{ n: string }>(tenant, `SELECT count(*)::text AS n FROM conversation_audit_logs WHERE model_provider IS NULL AND model_config IS NULL`);
      missing += Number(r!.n);
    }
    assert.ok(missing > 0);
    assert.equal(missing, inc.metadataMissing.rows);
  });
});

describe('demo generation is deterministic', () => {
  const folders: string[] = [];
  after(async () => {
    for (const f of folders) await rm(f, { recursive: true, force: true });
  });

  async function generate(seed: number): Promise<GroundTruth & { conversationsDigest: string }> {
    const parent = await mkdtemp(join(tmpdir(), 'auditdesk-demo-determinism-'));
    await chmod(parent, 0o755);
    folders.push(parent);
    const demo = await buildDemoFolder(join(parent, 'demo'), { events: 2_000, seed, port: await freePort() });
    try {
      const admin = new pg.Client({ connectionString: demo.adminUrl, types: textTypes });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ d: string }>(`SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) AS d FROM conversation_audit_logs c`);
        return { ...demo.groundTruth, conversationsDigest: rows[0]!.d };
      } finally {
        await admin.end();
      }
    } finally {
      await demo.stop();
    }
  }

  test('the same seed gives the same data; another seed gives other data', async () => {
    const a = await generate(11);
    const b = await generate(11);
    const c = await generate(12);
    assert.deepEqual(b.chainHeads, a.chainHeads);
    assert.deepEqual(b.anchor, a.anchor);
    assert.deepEqual(b.tampering, a.tampering);
    assert.deepEqual(b.counts, a.counts);
    assert.equal(b.conversationsDigest, a.conversationsDigest);
    assert.notDeepEqual(c.chainHeads, a.chainHeads);
    assert.notEqual(c.conversationsDigest, a.conversationsDigest);
  });
});

// The references a sync is judged against (issue 17), run with the tools a power user
// would script by hand: `psql \copy` of a tenant's events to CSV alone, and the whole
// hand-made pipeline — that CSV, `sqlite3 .import`, the indexes the cache builds for an
// events table and the same FTS5 rebuild. Same role, same tenants, RLS applied.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PSQL = process.env.PSQL ?? '/usr/bin/psql';
const SQLITE3 = process.env.SQLITE3 ?? '/usr/bin/sqlite3';

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Column names of the events table a hand-made cache indexes (the demo's, or a mapping's). */
export interface EventColumns {
  id: string;
  seq: string;
  tenant: string;
  time: string;
  user: string;
  eventType: string;
  severity: string;
  /** The events columns of the cache's FTS5 table that the source has. */
  text: string[];
}

export const DEMO_EVENT_COLUMNS: EventColumns = {
  id: 'id',
  seq: 'seq',
  tenant: 'tenant_id',
  time: 'created_at',
  user: 'user_id',
  eventType: 'event_type',
  severity: 'severity',
  text: ['action_details', 'entity_type', 'entity_id', 'event_type', 'user_id'],
};

/** `psql \copy` of each tenant's events, in seq order, to `dir/<n>.csv` (with a header). */
export async function psqlCopy(url: string, dir: string, table: string, tenants: string[], seq = 'seq'): Promise<{ seconds: number; files: string[] }> {
  const t0 = performance.now();
  const files: string[] = [];
  for (const [i, tenant] of tenants.entries()) {
    const file = join(dir, `${table}-${i}.csv`);
    files.push(file);
    await run(PSQL, [
      url,
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `SELECT set_config('app.current_tenant_id', ${quote(tenant)}, false)`,
      '-c',
      `\\copy (SELECT * FROM ${ident(table)} WHERE tenant_id::text = ${quote(tenant)} ORDER BY ${ident(seq)}) TO '${file}' CSV HEADER`,
    ]);
  }
  return { seconds: (performance.now() - t0) / 1000, files };
}

/**
 * The hand-made pipeline after the CSV: `sqlite3 .import`, the cache's indexes on an
 * events fill that a plain table can have (records_key UNIQUE, chain, tenant+time,
 * kind+time, time, session, user, event type, severity: 9 of 10 — records_rid_kind_ts
 * leads with the rowid, which SQLite cannot index) and the FTS5 rebuild with the
 * cache's columns, tokenizer and 16 MB hashsize (src-main/core/sync/deferred.ts).
 * `kind`, `session_id`, `prompt` and `response` are added as the cache has them
 * (constant or NULL on events), so the index builds scan the same shape of keys.
 */
export async function sqliteImport(files: string[], dbPath: string, c: EventColumns): Promise<number> {
  const t = 'events';
  const script = [
    '.bail on',
    'PRAGMA journal_mode=WAL;',
    'PRAGMA synchronous=OFF;',
    `.import --csv ${files[0]} ${t}`,
    ...files.slice(1).map((f) => `.import --csv --skip 1 ${f} ${t}`),
    'PRAGMA synchronous=NORMAL;',
    'PRAGMA threads=4;',
    `ALTER TABLE ${t} ADD COLUMN kind TEXT NOT NULL DEFAULT 'event';`,
    `ALTER TABLE ${t} ADD COLUMN session_id TEXT;`,
    `ALTER TABLE ${t} ADD COLUMN prompt TEXT;`,
    `ALTER TABLE ${t} ADD COLUMN response TEXT;`,
    'BEGIN;',
    `CREATE UNIQUE INDEX records_key ON ${t} (${ident(c.tenant)}, ${ident(c.id)});`,
    `CREATE INDEX records_chain ON ${t} (${ident(c.tenant)}, ${ident(c.seq)});`,
    `CREATE INDEX records_tenant_ts ON ${t} (${ident(c.tenant)}, ${ident(c.time)});`,
    `CREATE INDEX records_kind_ts ON ${t} (kind, ${ident(c.time)});`,
    `CREATE INDEX records_ts ON ${t} (${ident(c.time)});`,
    `CREATE INDEX records_session ON ${t} (session_id, ${ident(c.time)});`,
    `CREATE INDEX records_user ON ${t} (${ident(c.user)}, ${ident(c.time)});`,
    `CREATE INDEX records_event_type ON ${t} (${ident(c.eventType)}, ${ident(c.time)}) WHERE ${ident(c.eventType)} IS NOT NULL;`,
    `CREATE INDEX records_severity ON ${t} (${ident(c.severity)}, ${ident(c.time)}) WHERE ${ident(c.severity)} IS NOT NULL;`,
    `CREATE VIRTUAL TABLE records_fts USING fts5(prompt, response, ${c.text.map(ident).join(', ')}, content='${t}', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');`,
    `INSERT INTO records_fts(records_fts, rank) VALUES ('hashsize', ${16 * 1024 * 1024});`,
    `INSERT INTO records_fts(records_fts) VALUES ('rebuild');`,
    'COMMIT;',
    'PRAGMA wal_checkpoint(TRUNCATE);',
  ].join('\n');
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = execFile(SQLITE3, [dbPath], { maxBuffer: 16 << 20 }, (e, _out, err) => (e ? reject(new Error(`sqlite3: ${err || e.message}`)) : resolve()));
    child.stdin!.end(script);
  });
  return (performance.now() - t0) / 1000;
}

// `verify --cache` after a sync (issue 17): the sync already checked every chain it
// cached and stored that verdict, so re-reading and re-hashing the same rows would only
// say it again. The stored verdict is given instead, named as such, when it is provably
// about the cache as it is now:
// - it is the newest verdict over this cache, and the cache's generation counter
//   (migration 013: every write to cached rows, chain profiles, checkpoints moves it)
//   has not moved since it was stored, with every trigger that moves it in place;
// - it covers every chain asked for;
// - this auditor's key signed the stored record (verdict-record.ts): a cache received from
//   someone else is always re-read, since its stored reports are only that person's word,
//   and so is a record no key signed or one changed since (written by something else).
// Anything else, or --full, verifies afresh.
import type { CacheDb } from '../cache/open.js';
import type { AuditorKey } from '../identity/auditor-key.js';
import { listCachedChains } from './adapters.js';
import { driftReport, markDrift } from './drift-report.js';
import { summarise, type VerifyReport } from './report.js';
import { overallVerdict } from './run.js';
import { openCacheDamage } from './cache-damage.js';
import { notCheckedHere, VERDICT_RECORD_COLUMNS, type VerdictRecordRow } from './verdict-record.js';

/** The note the sync's own check leaves; in a reused verdict the reuse note says it instead. */
const CHAINS_ONLY_NOTE = 'hash chains only:';

export type NotReused = 'no stored verdict' | 'the change counter is not whole' | 'the cache changed since' | 'damage was found since' | 'not signed with this key' | 'a chain it does not cover';

/**
 * The triggers that move the counter (cache migration 013). With one missing (dropped by
 * hand, or by a bulk fill that never finished) writes go uncounted, so the counter proves
 * nothing and the cache is re-read.
 */
const COUNTER_TRIGGERS = ['records', 'chain_profiles', 'checkpoints'].flatMap((t) => ['insert', 'update', 'delete'].map((op) => `${t}_generation_${op}`)).concat('source_tables_generation_update');

export function reusableCacheVerdict(db: CacheDb, key: Pick<AuditorKey, 'keyId'>, tenants: readonly string[]): { report: VerifyReport } | { why: NotReused } {
  const stored = db
    .prepare(
      `SELECT ${VERDICT_RECORD_COLUMNS}, cache_generation = (SELECT n FROM cache_generation) AS current
         FROM verify_reports WHERE target = 'cache' ORDER BY report_id DESC LIMIT 1`,
    )
    .get() as (VerdictRecordRow & { report_id: number; current: number | null }) | undefined;
  if (!stored) return { why: 'no stored verdict' };
  const present = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_generation_%'`).pluck().all() as string[]);
  if (COUNTER_TRIGGERS.some((t) => !present.has(t))) return { why: 'the change counter is not whole' };
  if (stored.current !== 1) return { why: 'the cache changed since' };
  if (openCacheDamage(db).length) return { why: 'damage was found since' };
  if (notCheckedHere(stored, key.keyId)) return { why: 'not signed with this key' };
  const was = JSON.parse(stored.report_json) as VerifyReport;
  const wanted = listCachedChains(db, tenants.length ? tenants : undefined);
  const chains = wanted.map((c) => was.tenants.find((t) => t.table === c.name && t.tenant === c.tenant));
  if (!wanted.length || chains.some((c) => !c)) return { why: 'a chain it does not cover' };

  const verified = chains.map((c) => structuredClone(c!));
  const drift = driftReport(db, [...new Set(verified.map((t) => t.tenant))]);
  markDrift(drift.findings, verified, []);
  const report: VerifyReport = {
    ...was,
    tenants: verified,
    seals: [],
    checkpointsRecorded: [],
    intact: verified.every((t) => t.intact) && !drift.json.count,
    verdict: overallVerdict(
      verified.map((t) => t.verdict),
      true,
    ),
    summary: { ...summarise(verified, []), driftFindings: drift.json.count },
    drift: drift.json,
    notes: [
      `the sealed tables (conversation logs, anomalies, access log) were sealed by that sync and are not re-checked here: --full re-checks them.`,
      ...was.notes.filter((n) => !n.startsWith(CHAINS_ONLY_NOTE)),
    ],
    reusedFrom: { reportId: stored.report_id, checkedAt: was.checkedAt },
  };
  return { report };
}

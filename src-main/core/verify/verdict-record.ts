// Stored verdicts are signed (cache version 17). The Engagements list, the Integrity screen,
// the review queue and `verify --cache` give a verdict read back from verify_reports as this
// auditor's check; the cache is an ordinary file, so a row added or edited by anything else
// (a second writer, an edit by hand, a copy of an earlier report) must not read as one.
//
// The signature covers the record's columns, its place (report_id) and the cache generation
// it was given at, and the SHA-256 of the whole report: an edited report, a report copied to
// another place and a row written without the key all fail. It cannot show that later records
// were deleted (the file rolled back to an earlier, truly signed verdict): `verify --full`
// re-reads the rows for that (docs/verification.md, "Stored verdicts are signed").
import { createHash } from 'node:crypto';
import { jcs } from '../chain/canonical.js';
import { keyIdOf, signText, verifyText, type AuditorKey } from '../identity/auditor-key.js';
import type { NotCheckedHere } from '../contract/integrity.js';
import type { VerifyReport } from '../contract/verify-report.js';
import type { CacheDb } from '../cache/open.js';

export const VERDICT_RECORD_FORMAT = 'auditdesk-verdict-record-v1';

/** The verify_reports columns a record's signature is checked over. */
export const VERDICT_RECORD_COLUMNS = 'report_id, checked_at, target, source_fingerprint, intact, cache_generation, report_json, signature, public_key';

export interface VerdictRecordRow {
  report_id: number | bigint;
  checked_at: string;
  target: string;
  source_fingerprint: string | null;
  intact: number | bigint;
  cache_generation: number | bigint | null;
  report_json: string;
  signature: string | null;
  public_key: string | null;
}

/** The bytes signed (JCS): integers as decimal strings, so no reader has to trust a float. */
function recordBody(row: Omit<VerdictRecordRow, 'signature' | 'public_key'>, publicKeyRaw: string): string {
  return jcs({
    format: VERDICT_RECORD_FORMAT,
    report_id: String(row.report_id),
    checked_at: row.checked_at,
    target: row.target,
    source_fingerprint: row.source_fingerprint,
    intact: Number(row.intact) === 1,
    cache_generation: row.cache_generation === null ? null : String(row.cache_generation),
    report_sha256: createHash('sha256').update(row.report_json, 'utf8').digest('hex'),
    key_id: keyIdOf(publicKeyRaw),
    public_key: publicKeyRaw,
  });
}

/** The signature and public key to store with a record. */
export function signVerdictRecord(key: AuditorKey, row: Omit<VerdictRecordRow, 'signature' | 'public_key'>): { signature: string; publicKey: string } {
  return { signature: signText(key, recordBody(row, key.publicKeyRaw)), publicKey: key.publicKeyRaw };
}

const UNSIGNED: NotCheckedHere = {
  why: 'unsigned',
  keyId: null,
  words: 'a verdict record not signed by an auditor key (stored before AuditDesk signed its verdicts, or written into the cache by something else)',
};
const EDITED: NotCheckedHere = {
  why: 'signature-invalid',
  keyId: null,
  words: 'a verdict record whose signature does not match it (changed since it was stored)',
};

/** A result row its record does not list: written beside a record, by something other than storeReport. */
const NOT_IN_RECORD: NotCheckedHere = {
  why: 'signature-invalid',
  keyId: null,
  words: 'a verdict its signed record does not contain (written into the cache beside it)',
};

/** Why a stored record is not a check made with `ownKeyId` (the reading data folder's key; null when it has none), or null when it is. */
export function notCheckedHere(row: VerdictRecordRow, ownKeyId: string | null): NotCheckedHere | null {
  if (!row.signature || !row.public_key) return UNSIGNED;
  if (!verifyText(row.public_key, recordBody(row, row.public_key), row.signature)) return EDITED;
  const keyId = keyIdOf(row.public_key);
  return keyId === ownKeyId ? null : { why: 'another-key', keyId, words: `another auditor's verdict (key ${keyId})` };
}

/**
 * For the readers of per-chain results (verify_results): whether a result row is a check made
 * with `ownKeyId`. A row is only as good as its record, and one its record does not list was
 * written beside it. Each record is checked once per checker (one report usually gave every
 * chain's verdict).
 */
export function resultChecker(db: CacheDb, ownKeyId: string | null): (reportId: number | bigint, resultJson: string) => NotCheckedHere | null {
  const recordOf = db.prepare(`SELECT ${VERDICT_RECORD_COLUMNS} FROM verify_reports WHERE report_id = ?`);
  const records = new Map<string, { status: NotCheckedHere | null; listed: Set<string> }>();
  return (reportId, resultJson) => {
    let record = records.get(String(reportId));
    if (!record) {
      const row = recordOf.get(reportId) as VerdictRecordRow | undefined;
      record = row ? { status: notCheckedHere(row, ownKeyId), listed: listedResults(row.report_json) } : { status: NOT_IN_RECORD, listed: new Set() };
      records.set(String(reportId), record);
    }
    return record.status ?? (record.listed.has(resultJson) ? null : NOT_IN_RECORD);
  };
}

/** Each chain and seal entry of a stored report, as storeReport wrote its verify_results row. */
function listedResults(reportJson: string): Set<string> {
  try {
    const report = JSON.parse(reportJson) as Partial<VerifyReport>;
    return new Set([...(report.tenants ?? []), ...(report.seals ?? [])].map((entry) => JSON.stringify(entry)));
  } catch {
    return new Set();
  }
}

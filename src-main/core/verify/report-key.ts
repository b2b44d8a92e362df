// Which auditor key's run gave a stored verdict. Stored reports are not signed, so this tells
// a cache received from another auditor from one's own; it does not tell an edited report
// from a true one (docs/threat-model.md).

/** SQL over verify_reports: the key id of the first checkpoint the run recorded; NULL when it recorded none. */
export const REPORT_KEY_ID_SQL = "json_extract(report_json, '$.checkpointsRecorded[0].keyId')";

/** The run's key id when it is a key id and not `ownKeyId`, else null. */
export function anotherKeyThan(ownKeyId: string | null, runKeyId: unknown): string | null {
  return typeof runKeyId === 'string' && runKeyId !== ownKeyId ? runKeyId : null;
}

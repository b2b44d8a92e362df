-- AuditDesk local cache: each checkpoint also as a C2SP signed note (issue 18).
-- The JSON body (body_json, signature) stays what it was and is still checked; the note
-- carries the same chain head in the public tlog-checkpoint format (origin naming
-- source, tenant and table; tree size; RFC 6962 root over the rows' stored hashes,
-- docs/tlog-evidence.md), signed with the same auditor key, so tools we did not write
-- (Go's sumdb/note) can check it and `auditdesk prove` can point a row's proof at it.
-- NULL for checkpoints recorded before this version, and for external anchors (a head
-- hash alone gives no tree).
ALTER TABLE checkpoints ADD COLUMN note TEXT;

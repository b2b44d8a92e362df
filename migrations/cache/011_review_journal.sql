-- The audit-trail review (issue 14): signed decisions on the exceptions queue, signed
-- completions of the review, the reviewer journal and the stored controls runs.
-- The queue itself is derived (src-main/core/review/queue.ts) from what the cache holds;
-- decisions on every kind of item, drift findings included, live in review_decisions
-- (drift_findings' status/decision columns stay as a sync wrote them). Everything here
-- is evidence of what the auditor did: rows are only ever added (triggers below).

-- One signed decision per row; a new decision on the same item supersedes the
-- previous one and both stay. `signed_json` is the exact RFC 8785 text the signature
-- covers (docs/review.md), kept so a verifier checks the bytes that were signed.
CREATE TABLE review_decisions (
  decision_id        INTEGER PRIMARY KEY,
  item_id            TEXT NOT NULL,
  kind               TEXT NOT NULL,
  tenant_id          TEXT NOT NULL,
  evidence_hash      TEXT NOT NULL,
  disposition        TEXT NOT NULL CHECK (disposition IN ('confirmed', 'false_positive', 'accepted_risk', 'escalated')),
  meaning            TEXT NOT NULL,
  note               TEXT NOT NULL CHECK (length(note) > 0),
  reference          TEXT,
  signer_name        TEXT NOT NULL,
  signer_fingerprint TEXT NOT NULL,
  signer_cert        TEXT NOT NULL,             -- base64 DER of the Ed25519 certificate that verifies the signature
  signed_at          TEXT NOT NULL,             -- UTC ISO-8601 with Z
  supersedes         INTEGER REFERENCES review_decisions(decision_id),
  signed_json        TEXT NOT NULL,
  signature          TEXT NOT NULL              -- base64 Ed25519 over UTF-8(signed_json)
);
-- The queue reads the latest decision per item.
CREATE INDEX review_decisions_item ON review_decisions (item_id, decision_id);

CREATE TABLE review_completions (
  completion_id      INTEGER PRIMARY KEY,
  open_items_json    TEXT NOT NULL,             -- item ids open when it was signed
  coverage_json      TEXT NOT NULL,
  note               TEXT NOT NULL,
  signer_name        TEXT NOT NULL,
  signer_fingerprint TEXT NOT NULL,
  signer_cert        TEXT NOT NULL,
  signed_at          TEXT NOT NULL,
  signed_json        TEXT NOT NULL,
  signature          TEXT NOT NULL
);

-- The reviewer journal: its own hash chain, same profile as the audit trails
-- (docs/hash-chain.md, jcs-sha256-v1): payload = JCS of {seq, at, action, details},
-- hash = sha256(prev_hash + "\n" + payload), seq 1's prev_hash is 64 zeros.
CREATE TABLE review_journal (
  seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
  at        TEXT NOT NULL,
  action    TEXT NOT NULL,
  details   TEXT NOT NULL,                      -- JSON object (JCS text as hashed)
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
);

-- A controls run (auditdesk controls --engagement/--cache): its failures join the queue.
CREATE TABLE controls_runs (
  run_id             INTEGER PRIMARY KEY,
  checked_at         TEXT NOT NULL,
  source_fingerprint TEXT NOT NULL,
  report_json        TEXT NOT NULL              -- the whole report (format auditdesk-controls-v1)
);

CREATE TRIGGER review_decisions_no_update BEFORE UPDATE ON review_decisions BEGIN
  SELECT RAISE(ABORT, 'review decisions are append-only: record a new decision instead');
END;
CREATE TRIGGER review_decisions_no_delete BEFORE DELETE ON review_decisions BEGIN
  SELECT RAISE(ABORT, 'review decisions are append-only: record a new decision instead');
END;
CREATE TRIGGER review_completions_no_update BEFORE UPDATE ON review_completions BEGIN
  SELECT RAISE(ABORT, 'review completions are append-only: sign a new completion instead');
END;
CREATE TRIGGER review_completions_no_delete BEFORE DELETE ON review_completions BEGIN
  SELECT RAISE(ABORT, 'review completions are append-only: sign a new completion instead');
END;
CREATE TRIGGER review_journal_no_update BEFORE UPDATE ON review_journal BEGIN
  SELECT RAISE(ABORT, 'the reviewer journal is never rewritten');
END;
CREATE TRIGGER review_journal_no_delete BEFORE DELETE ON review_journal BEGIN
  SELECT RAISE(ABORT, 'the reviewer journal is never rewritten');
END;
CREATE TRIGGER controls_runs_no_update BEFORE UPDATE ON controls_runs BEGIN
  SELECT RAISE(ABORT, 'controls runs are append-only');
END;
CREATE TRIGGER controls_runs_no_delete BEFORE DELETE ON controls_runs BEGIN
  SELECT RAISE(ABORT, 'controls runs are append-only');
END;

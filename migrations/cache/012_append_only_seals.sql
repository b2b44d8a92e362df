-- Seals and drift findings are evidence of what each sync saw (issue 19): a re-seal
-- after a change at the source is a new seal beside the old one, and a finding stays
-- a finding after it is decided (its decision is a signed row of review_decisions).
-- Nothing edits or removes a seal, and nothing removes a finding.
CREATE TRIGGER seals_append_only_update BEFORE UPDATE ON seals BEGIN
  SELECT RAISE(ABORT, 'seals are append-only: a later sync records a new seal');
END;
CREATE TRIGGER seals_append_only_delete BEFORE DELETE ON seals BEGIN
  SELECT RAISE(ABORT, 'seals are append-only: a later sync records a new seal');
END;
CREATE TRIGGER drift_findings_kept BEFORE DELETE ON drift_findings BEGIN
  SELECT RAISE(ABORT, 'drift findings are kept: decide them in the exceptions queue instead');
END;

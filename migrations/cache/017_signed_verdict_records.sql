-- Stored verdicts are signed with the auditor key (verify/verdict-record.ts). The
-- Engagements list, the Integrity screen, the review queue and `verify --cache` read
-- verify_reports back as this auditor's verdicts; without a signature any process that
-- can write this file could add an "intact" row and be shown as that auditor's check.
-- Reports stored before this version have neither column and read as unsigned.
ALTER TABLE verify_reports ADD COLUMN signature TEXT;   -- base64 Ed25519 over the record body
ALTER TABLE verify_reports ADD COLUMN public_key TEXT;  -- base64 raw Ed25519 public key

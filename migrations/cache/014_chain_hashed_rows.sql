-- A later sync's verdict skips the payload hash of rows an earlier verdict already hashed
-- (issue 17, goal 3; docs/verification.md). Each row here says, for one chain: its first
-- `rows` rows in seq order, whose content has this SHA-256, each had a recomputed hash equal
-- to its stored hash under this profile and these columns. The statement is signed by the
-- data folder's auditor key; one that does not verify with that key is ignored, so a cache
-- received from someone else, or edited with its statement rewritten, is hashed in full.
CREATE TABLE chain_hashed_rows (
  table_id   INTEGER NOT NULL REFERENCES source_tables(table_id),
  tenant_id  TEXT NOT NULL,
  statement  TEXT NOT NULL,
  key_id     TEXT NOT NULL,
  signature  TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (table_id, tenant_id)
);

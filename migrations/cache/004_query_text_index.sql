-- AuditDesk local cache, version 4: full-text counts and histograms on a million rows.
-- A common word matches hundreds of thousands of rows. FTS5 hands back their rowids in
-- ascending order; this narrow index (rid, kind, ts, tenant_id) lets the count and the
-- histogram of a search (optionally per tenant) read each match's kind, time and tenant
-- in rowid order, instead of visiting ~1 KB table rows scattered over the file.
-- New rows append at its end, so sync pays little.
CREATE INDEX IF NOT EXISTS records_rid_kind_ts ON records (rid, kind, ts, tenant_id);

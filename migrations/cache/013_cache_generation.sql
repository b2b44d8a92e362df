-- `verify --cache` gives the verdict the sync already gave, without re-reading the cache
-- (issue 17), only while nothing that verdict depends on has changed since: the cached
-- rows, the chain profiles and the checkpoints the chains are compared with. Every write
-- to them moves this counter, and each stored report keeps the value it was made at.
-- A sync's bulk mode drops the records triggers with the other deferred ones and moves
-- the counter when it restores them (sync/deferred.ts).
CREATE TABLE cache_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT INTO cache_generation (id, n) VALUES (1, 0);

ALTER TABLE verify_reports ADD COLUMN cache_generation INTEGER;

CREATE TRIGGER records_generation_insert AFTER INSERT ON records BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER records_generation_update AFTER UPDATE ON records BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER records_generation_delete AFTER DELETE ON records BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER chain_profiles_generation_insert AFTER INSERT ON chain_profiles BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER chain_profiles_generation_update AFTER UPDATE ON chain_profiles BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER chain_profiles_generation_delete AFTER DELETE ON chain_profiles BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER checkpoints_generation_insert AFTER INSERT ON checkpoints BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER checkpoints_generation_update AFTER UPDATE ON checkpoints BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER checkpoints_generation_delete AFTER DELETE ON checkpoints BEGIN UPDATE cache_generation SET n = n + 1; END;
CREATE TRIGGER source_tables_generation_update AFTER UPDATE ON source_tables BEGIN UPDATE cache_generation SET n = n + 1; END;

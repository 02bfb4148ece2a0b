-- Which migrations (sql/migrations/NNN_*.sql) this warehouse has. Grain: one row per migration.
-- A new warehouse is created at the newest version by the ddl/ files and records every migration as
-- applied; `init-db` on an older warehouse applies the missing ones first (pipeline/store/schema.py).
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TIMESTAMP NOT NULL
);

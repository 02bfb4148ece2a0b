-- 006: the hourly scope (issue 24). Readings of stations outside QZ811_HOURLY_SCOPE are validated and
-- loaded into station-days only, not kept hour by hour: rows_summarised counts them (part of rows_loaded).
ALTER TABLE ingest_batch ADD COLUMN rows_summarised INTEGER NOT NULL DEFAULT 0;

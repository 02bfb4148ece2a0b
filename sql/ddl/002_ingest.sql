-- Ingest batches: one row per batch (a run's set of files, or one `ingest` call).
-- batch_id is derived from the dataset, the window and the files' SHA-256, so re-running the same
-- day on the same files replaces the same batch.
CREATE TABLE IF NOT EXISTS ingest_batch (
    batch_id            VARCHAR(40) PRIMARY KEY,
    dataset             VARCHAR(40) NOT NULL,     -- e.g. air_hourly
    source_files        TEXT NOT NULL,            -- file names, ';'-separated
    sha256              TEXT NOT NULL,            -- their SHA-256, same order
    window_start        TIMESTAMP,                -- first timestamp the run owns (NULL: no window)
    window_end          TIMESTAMP,                -- last timestamp it owns (inclusive)
    rows_read           INTEGER NOT NULL,         -- = rows_loaded + rows_quarantined
    rows_loaded         INTEGER NOT NULL,
    rows_quarantined    INTEGER NOT NULL,
    rows_other_days     INTEGER NOT NULL DEFAULT 0, -- values in the files that belong to other days' runs
    started_at          TIMESTAMP NOT NULL,       -- UTC; the last run's timing
    finished_at         TIMESTAMP NOT NULL,
    rows_summarised     INTEGER NOT NULL DEFAULT 0, -- of rows_loaded: readings of stations outside the hourly
                                                    -- scope (QZ811_HOURLY_SCOPE), kept as station-days only
                                                    -- (last, as migration 006 adds it to older warehouses)
    CHECK (rows_read = rows_loaded + rows_quarantined)
);

-- Quarantine: rows that failed validation, with every failed expectation as the reason.
-- Grain: one row per rejected source record.
CREATE TABLE IF NOT EXISTS quarantine (
    batch_id     VARCHAR(40) NOT NULL REFERENCES ingest_batch (batch_id),
    source_file  TEXT NOT NULL,
    source_row   INTEGER NOT NULL,    -- line number in the file (header = 1)
    record_key   TEXT NOT NULL,       -- which record of that line (the station column for wide files)
    reason       TEXT NOT NULL,
    raw_record   TEXT NOT NULL,
    PRIMARY KEY (batch_id, source_file, source_row, record_key)
);

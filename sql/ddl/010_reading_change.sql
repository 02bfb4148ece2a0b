-- Audit of corrections: what a re-run of a window with different files changed. Grain: one row per
-- reading changed, added or removed by one re-run (a re-run of the same files changes nothing and adds
-- no row). reading_key names the reading (e.g. station_code=1264A;hour_end=2019-02-10 05:00:00;pollutant=pm25).
CREATE TABLE IF NOT EXISTS reading_change (
    dataset         VARCHAR(40) NOT NULL,     -- air_hourly | water_samples | source_readings
    window_label    VARCHAR(16) NOT NULL,     -- the run's day or month
    reading_key     TEXT NOT NULL,
    change          VARCHAR(8) NOT NULL,      -- changed | added | removed
    old_value       DOUBLE PRECISION,         -- NULL when added
    new_value       DOUBLE PRECISION,         -- NULL when removed
    old_batch_id    VARCHAR(40),
    new_batch_id    VARCHAR(40) NOT NULL,
    changed_at      TIMESTAMP NOT NULL,       -- UTC
    CHECK (change IN ('changed', 'added', 'removed'))
);
CREATE INDEX IF NOT EXISTS reading_change_window ON reading_change (dataset, window_label);

-- Named locks of the pipeline's writers (PostgreSQL; pipeline/store/engine.py `replacing`). Grain: one row per key,
-- e.g. 'air_hourly|2019-07-01'. A writer locks its key's row (INSERT ... ON CONFLICT DO UPDATE) until its
-- transaction ends, so two runs replacing the same piece take turns. Row locks need UPDATE rights, which the
-- read-only analyst does not have: unlike an advisory lock, no analyst can take one and stall a night.
CREATE TABLE IF NOT EXISTS qz811_lock (
    key  TEXT PRIMARY KEY
);

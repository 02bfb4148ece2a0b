-- A re-run of a period replaces every earlier batch of that dataset and window (e.g. one loaded from a
-- file since corrected): first their quarantine ...
DELETE FROM quarantine WHERE batch_id IN (
    SELECT batch_id FROM ingest_batch
    WHERE dataset = :dataset AND window_start = :window_start AND window_end = :window_end)

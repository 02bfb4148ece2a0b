-- The batches of a dataset whose window starts in a range: a backfill skips the days whose batch (the same
-- files, so the same batch_id) is already loaded.
SELECT batch_id FROM ingest_batch
WHERE dataset = :dataset AND window_start >= :window_start AND window_start <= :window_end

-- ... then the batch rows themselves (their readings went with the window's delete).
DELETE FROM ingest_batch
WHERE dataset = :dataset AND window_start = :window_start AND window_end = :window_end AND batch_id <> :batch_id

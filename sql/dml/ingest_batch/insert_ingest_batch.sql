INSERT INTO ingest_batch (batch_id, dataset, source_files, sha256, window_start, window_end,
    rows_read, rows_loaded, rows_quarantined, rows_other_days, rows_summarised, started_at, finished_at)
VALUES (:batch_id, :dataset, :source_files, :sha256, :window_start, :window_end,
    :rows_read, :rows_loaded, :rows_quarantined, :rows_other_days, :rows_summarised, :started_at, :finished_at)

UPDATE ingest_batch SET dataset = :dataset, source_files = :source_files, sha256 = :sha256,
    window_start = :window_start, window_end = :window_end, rows_read = :rows_read,
    rows_loaded = :rows_loaded, rows_quarantined = :rows_quarantined,
    rows_other_days = :rows_other_days, rows_summarised = :rows_summarised, started_at = :started_at,
    finished_at = :finished_at
WHERE batch_id = :batch_id

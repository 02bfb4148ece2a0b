-- A window's stored readings, to compare with a re-run's (the audit in reading_change).
SELECT outlet_code, period_start, interval, item, value, batch_id
FROM source_reading
WHERE period_start >= :window_start AND period_start <= :window_end

-- A window's stored readings of one kind, to compare with a re-run's (the audit in reading_change).
SELECT section_code, sampled_at, item, value, batch_id
FROM water_sample
WHERE kind = :kind AND sampled_at >= :window_start AND sampled_at <= :window_end
